#!/bin/sh
# Entry point of the Yichuang image: before `yichuang serve`, bring the database to the
# current schema (a failure stops the container with the reason on stderr, and Docker's
# restart policy tries again); then replace this shell with the command, so that it gets
# the container's signals. Any other command (court-sim, desk add-staff, nlu parse …)
# runs as it is.
set -eu

if [ "$#" -eq 0 ]; then
    set -- yichuang serve --host 0.0.0.0 --port 8000 --json
fi

if [ "$1" = "yichuang" ] && [ "${2:-}" = "serve" ]; then
    yichuang db upgrade
fi

exec "$@"
