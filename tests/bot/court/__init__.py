"""Tests of the court case API: simulator, client and fixture, over real loopback HTTP."""
