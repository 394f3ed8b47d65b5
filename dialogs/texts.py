"""Fixed sentences and menus the assistant says (one place, so wording stays consistent)."""

from __future__ import annotations

from dialogs.payload import payload
from dialogs.replies import Button

DISCLAIMER = "本助手只提供诉讼程序信息，不提供法律意见。"

MENU = (
    Button("我要立案", payload("file_civil_case")),
    Button("算诉讼费", payload("fee_calculation")),
    Button("查案件进度", payload("case_status")),
    Button("查案款", payload("case_payment", flow="check")),
    Button("示范文本", payload("pleading_template")),
    Button("算上诉期", payload("appeal", flow="deadline")),
    Button("转人工", payload("request_human")),
)

GREETING = (
    "您好！我是“一窗”诉讼服务助手，可以帮您了解立案、缴费、执行、案款等办事流程，计算诉讼费和期限，查询案件进度，找到起诉状示范文本。"
    + DISCLAIMER
)
HELP = "我可以帮您：\n1. 说明立案、上诉、再审、执行、保全、调解等怎么办\n2. 计算诉讼费、上诉期等期限\n3. 凭查询码查案件进度和案款\n4. 找起诉状、答辩状示范文本\n5. 转人工导诉员\n6. 删除您在这里的聊天记录（说“删除我的记录”）\n请点下面的按钮，或直接说您的问题。"
THANKS = "不客气！还有其他问题可以随时问我。"
GOODBYE = "好的，再见！祝您办事顺利。"
CANCELLED = "好的，已取消。还有什么可以帮您？"
NOTHING_TO_CANCEL = "好的。还有什么可以帮您？"
ANYTHING_ELSE = "好的。还有什么可以帮您？"
OUT_OF_SCOPE = "抱歉，这个问题不在我能回答的范围内。我只提供诉讼程序方面的信息，不能评价案件输赢或给出法律意见；具体案情可以咨询律师，或拨打12348公共法律服务热线。"
#: The NLU has no plausible guess: an open question, with the menu (stage one of the fallback).
OPEN_QUESTION = (
    "抱歉，我没太听明白。您能再说具体一点吗？比如“借钱不还想起诉”“查我的案子到哪一步了”"
    "“上诉期怎么算”。也可以点下面的常用服务。"
)
CLARIFY = "抱歉，我不太确定您的意思。您是想问“{a}”还是“{b}”？"
NEITHER = "都不是"
BUSY = "系统繁忙，暂时查不到案件信息，请稍后再试。需要的话可以转人工导诉员帮您查询。"
HANDOFF_OPEN = "好的，已为您转接人工导诉员，请稍候。工作人员会在这里回复您，期间我不再自动回答。"
HANDOFF_CLOSED = "现在是非工作时间（导诉台工作时间：{hours}）。您的问题已转给导诉台，工作人员会在{when}后在这里回复您；您也可以留下问题和手机号，方便工作人员回电。"
HANDOFF_CLOSED_UNKNOWN = "现在是非工作时间（导诉台工作时间：{hours}）。您的问题已转给导诉台，工作人员上班后会在这里回复您。"
HUMAN_BUTTON = Button("转人工", payload("request_human"))
MENU_BUTTON = Button("主菜单", payload("help"))

#: Words of a litigant who is fed up with the bot: hand over at once.
FRUSTRATION = (
    "听不懂",
    "答非所问",
    "没用",
    "垃圾",
    "智障",
    "气死",
    "废物",
    "胡说",
    "不靠谱",
    "什么玩意",
)

#: A typed answer fits more than one button (dialogs.choices).
CHOOSE_ONE = "您说的可能是下面几项中的一项，请选一个。"
#: Added when a form asks the same question a second time.
CHOICE_EXAMPLE = "可以直接点下面的按钮，也可以回复序号（比如“1”）或按钮上的字（比如“{title}”）。"
#: The third time: never the same question again, a person is offered.
STILL_UNCLEAR_BUTTONS = (
    "抱歉，我还是没能看懂。您可以点下面的按钮选择，或者点“转人工”，请导诉员帮您。"
)
STILL_UNCLEAR = "抱歉，我还是没能看懂。您可以换个说法再试一次，或者点“转人工”，请导诉员帮您。"
