"""Bilingual word pools for the demo data: regions, companies, people, titles, what was said.

Plain data, no logic. Chinese entries come with their pinyin where e-mail addresses need it.
Each region lists its cities as (Chinese, English) pairs.
"""


def _pairs(text: str) -> list[tuple[str, str]]:
    """ "上海/Shanghai, 杭州/Hangzhou" → [("上海", "Shanghai"), ("杭州", "Hangzhou")]."""
    return [tuple(pair.split("/")) for pair in text.split(", ")]  # type: ignore[misc]


# (slug, Chinese name, English name, cities)
REGIONS = [
    (
        "east",
        "华东",
        "East",
        _pairs("上海/Shanghai, 杭州/Hangzhou, 南京/Nanjing, 苏州/Suzhou, 宁波/Ningbo, 合肥/Hefei"),
    ),
    (
        "south",
        "华南",
        "South",
        _pairs(
            "广州/Guangzhou, 深圳/Shenzhen, 厦门/Xiamen, 福州/Fuzhou, 南宁/Nanning, 海口/Haikou"
        ),
    ),
    (
        "north",
        "华北",
        "North",
        _pairs("北京/Beijing, 天津/Tianjin, 济南/Jinan, 青岛/Qingdao, 太原/Taiyuan"),
    ),
    (
        "central",
        "华中",
        "Central",
        _pairs("武汉/Wuhan, 长沙/Changsha, 郑州/Zhengzhou, 南昌/Nanchang"),
    ),
    (
        "southwest",
        "西南",
        "Southwest",
        _pairs("成都/Chengdu, 重庆/Chongqing, 昆明/Kunming, 贵阳/Guiyang"),
    ),
    (
        "northwest",
        "西北",
        "Northwest",
        _pairs("西安/Xi'an, 兰州/Lanzhou, 银川/Yinchuan, 乌鲁木齐/Urumqi"),
    ),
    (
        "northeast",
        "东北",
        "Northeast",
        _pairs("沈阳/Shenyang, 大连/Dalian, 长春/Changchun, 哈尔滨/Harbin"),
    ),
    ("greater-bay", "港澳", "Hong Kong & Macau", _pairs("香港/Hong Kong, 澳门/Macau")),
    (
        "international",
        "海外",
        "International",
        _pairs("新加坡/Singapore, 雅加达/Jakarta, 迪拜/Dubai, 法兰克福/Frankfurt"),
    ),
    (
        "key-accounts",
        "总部大客户",
        "Key Accounts",
        _pairs("北京/Beijing, 上海/Shanghai, 深圳/Shenzhen"),
    ),
]

# (English industry as stored, Chinese business word, English business word)
INDUSTRIES = [
    ("Energy", "电力", "Power"),
    ("Energy", "能源", "Energy"),
    ("Manufacturing", "重工", "Heavy Industries"),
    ("Manufacturing", "精密制造", "Precision Manufacturing"),
    ("Finance", "银行", "Bank"),
    ("Finance", "证券", "Securities"),
    ("Healthcare", "医疗", "Healthcare"),
    ("Telecom", "通信", "Telecom"),
    ("Logistics", "物流", "Logistics"),
    ("Transportation", "轨道交通", "Rail Transit"),
    ("Government", "大数据局", "Data Bureau"),
    ("Education", "大学", "University"),
    ("Retail", "商业", "Retail"),
    ("Automotive", "汽车", "Motors"),
    ("Chemicals", "化工", "Chemicals"),
]

# Brand words: (Chinese, pinyin) — the distinctive part of a Chinese company name.
BRANDS = [
    ("东方", "dongfang"),
    ("华信", "huaxin"),
    ("长城", "changcheng"),
    ("新元", "xinyuan"),
    ("恒泰", "hengtai"),
    ("瑞丰", "ruifeng"),
    ("中远", "zhongyuan"),
    ("海川", "haichuan"),
    ("金桥", "jinqiao"),
    ("天成", "tiancheng"),
    ("博远", "boyuan"),
    ("宏达", "hongda"),
    ("国泰", "guotai"),
    ("明珠", "mingzhu"),
    ("远景", "yuanjing"),
    ("星河", "xinghe"),
    ("同创", "tongchuang"),
    ("安泰", "antai"),
    ("汇通", "huitong"),
    ("嘉禾", "jiahe"),
    ("锦程", "jincheng"),
    ("盛达", "shengda"),
    ("鼎新", "dingxin"),
    ("正泰", "zhengtai"),
    ("华电", "huadian"),
    ("联创", "lianchuang"),
    ("永信", "yongxin"),
    ("中科", "zhongke"),
    ("北辰", "beichen"),
    ("南山", "nanshan"),
    ("云海", "yunhai"),
    ("祥云", "xiangyun"),
]
CN_SUFFIXES = ["集团有限公司", "股份有限公司", "有限公司", "集团", "科技有限公司"]

EN_BRANDS = [
    "Pacific",
    "Meridian",
    "Summit",
    "Harbor",
    "Evergreen",
    "Crescent",
    "Orient",
    "Atlas",
    "Silverline",
    "Northstar",
    "Bluewater",
    "Golden Bridge",
    "Redwood",
    "Keystone",
    "Lotus",
    "Jade River",
    "Horizon",
    "Pinnacle",
    "Sterling",
    "Unity",
    "Vanguard",
    "Aurora",
    "Cathay",
]
EN_SUFFIXES = ["Group", "Holdings", "Co., Ltd.", "Corporation", "Ltd.", "International"]

SURNAMES = _pairs(
    "王/Wang, 李/Li, 张/Zhang, 刘/Liu, 陈/Chen, 杨/Yang, 黄/Huang, "
    "赵/Zhao, 吴/Wu, 周/Zhou, 徐/Xu, 孙/Sun, 马/Ma, 朱/Zhu, 胡/Hu, 郭/Guo, "
    "何/He, 高/Gao, 林/Lin, 罗/Luo, 郑/Zheng, 梁/Liang, 谢/Xie, 宋/Song, "
    "唐/Tang, 许/Xu, 韩/Han, 冯/Feng, 邓/Deng, 曹/Cao, 彭/Peng, 曾/Zeng, "
    "萧/Xiao, 田/Tian, 董/Dong, 潘/Pan"
)
GIVEN_NAMES = _pairs(
    "伟/Wei, 芳/Fang, 娜/Na, 敏/Min, 静/Jing, 强/Qiang, 磊/Lei, 洋/Yang, "
    "艳/Yan, 勇/Yong, 军/Jun, 杰/Jie, 涛/Tao, 明/Ming, 超/Chao, "
    "秀英/Xiuying, 建国/Jianguo, 志强/Zhiqiang, 海燕/Haiyan, 晓东/Xiaodong, "
    "丽华/Lihua, 国栋/Guodong, 文博/Wenbo, 雪梅/Xuemei, 子涵/Zihan, "
    "浩然/Haoran, 思远/Siyuan, 佳怡/Jiayi, 俊杰/Junjie, 欣怡/Xinyi, "
    "宇航/Yuhang, 建华/Jianhua, 立新/Lixin, 春华/Chunhua, 振宇/Zhenyu, "
    "慧敏/Huimin"
)
EN_GIVEN = [
    "David",
    "Grace",
    "Michael",
    "Linda",
    "Kevin",
    "Amy",
    "Jason",
    "Helen",
    "Eric",
    "Cathy",
    "Peter",
    "Vivian",
    "Frank",
    "Irene",
    "Tony",
    "Joyce",
    "Samuel",
    "Olivia",
    "Henry",
    "Sophia",
]

# Decision-chain positions. (key, Chinese title, English title, Chinese department, English one)
POSITIONS = {
    "chairman": ("董事长", "Chairman", "董事会", "Board"),
    "ceo": ("总经理", "General Manager", "总经理办公室", "Executive Office"),
    "cto": ("总工程师", "CTO", "技术部", "Technology"),
    "cio": ("信息中心主任", "CIO", "信息中心", "IT"),
    "cfo": ("财务总监", "CFO", "财务部", "Finance"),
    "procurement": ("采购部经理", "Head of Procurement", "采购部", "Procurement"),
    "operations": ("运维部经理", "Head of Operations", "运维部", "Operations"),
    "office": ("办公室主任", "Chief of Staff", "总经理办公室", "Executive Office"),
    "pm": ("项目经理", "Project Manager", "信息中心", "IT"),
    "engineer": ("高级工程师", "Senior Engineer", "技术部", "Technology"),
    "analyst": ("业务主管", "Business Lead", "运维部", "Operations"),
    "buyer": ("采购专员", "Buyer", "采购部", "Procurement"),
}

EDUCATION = [
    ("清华大学 电气工程硕士", "MSc Electrical Engineering, Tsinghua University"),
    ("浙江大学 计算机学士", "BSc Computer Science, Zhejiang University"),
    ("复旦大学 EMBA", "EMBA, Fudan University"),
    ("上海交通大学 工商管理硕士", "MBA, Shanghai Jiao Tong University"),
    ("华中科技大学 自动化学士", "BEng Automation, HUST"),
    ("中山大学 财务管理学士", "BA Finance, Sun Yat-sen University"),
    ("哈尔滨工业大学 机械工程博士", "PhD Mechanical Engineering, HIT"),
    ("武汉大学 法学学士", "LLB, Wuhan University"),
]
HOMETOWNS = [
    ("湖南长沙", "Changsha, Hunan"),
    ("浙江温州", "Wenzhou, Zhejiang"),
    ("山东青岛", "Qingdao, Shandong"),
    ("四川成都", "Chengdu, Sichuan"),
    ("江苏无锡", "Wuxi, Jiangsu"),
    ("广东潮州", "Chaozhou, Guangdong"),
    ("河南洛阳", "Luoyang, Henan"),
    ("辽宁大连", "Dalian, Liaoning"),
    ("福建泉州", "Quanzhou, Fujian"),
]
INTERESTS = [
    ("高尔夫、围棋", "Golf and Go"),
    ("长跑，参加过马拉松", "Long-distance running, marathons"),
    ("书法和品茶", "Calligraphy and tea"),
    ("钓鱼、户外徒步", "Fishing and hiking"),
    ("摄影，喜欢历史纪录片", "Photography, history documentaries"),
    ("羽毛球，每周打两次", "Badminton twice a week"),
    ("关注新能源汽车", "Follows electric cars closely"),
    ("孩子在读高三，关注升学", "Child in final year of school"),
]
PREFERENCES = [
    ("喜欢喝龙井，不喝白酒", "Drinks Longjing tea, no spirits"),
    ("吃素，偏好清淡", "Vegetarian, light food"),
    ("上午十点以后约见", "Meetings after 10 am only"),
    ("喜欢简短汇报，先讲结论", "Short briefings, conclusion first"),
    ("重视数据和案例", "Wants data and reference cases"),
    ("喜欢川菜，能喝一点红酒", "Likes Sichuan food, some red wine"),
]
DO_DONT = [
    ("不要在周一上午打电话", "Never call on Monday mornings"),
    ("汇报材料提前一天发给他", "Send the deck a day ahead"),
    ("不要越过他直接找总经理", "Do not go over his head to the GM"),
    ("重要节点请我方高层出面", "Bring our executives to key milestones"),
    ("避免谈及竞争对手的价格", "Avoid discussing competitors' prices"),
]
BACKGROUNDS = [
    (
        "在本公司工作十五年，从一线工程师做起",
        "Fifteen years at the company, rose from field engineer",
    ),
    ("前外企高管，两年前加入", "Former multinational executive, joined two years ago"),
    (
        "主导过上一期信息化项目，对供应商要求严格",
        "Led the last IT programme; demanding with vendors",
    ),
    ("集团派驻，负责降本增效", "Seconded from group HQ to cut costs"),
    ("技术出身，看重方案的可落地性", "Engineer by training; values what can really be delivered"),
]

TOPICS = [
    ("智能运维平台", "predictive maintenance platform"),
    ("数据中心扩容", "data-centre expansion"),
    ("5G专网", "private 5G network"),
    ("供应链协同系统", "supply-chain collaboration system"),
    ("ERP升级", "ERP upgrade"),
    ("安全生产监控", "safety monitoring"),
    ("云迁移", "cloud migration"),
    ("年度框架协议", "annual framework agreement"),
]
SUMMARIES = {
    "zh": [
        "与{who}沟通{topic}需求，对方关注投资回报",
        "向{who}汇报{topic}方案，讨论实施范围",
        "拜访{who}，了解{topic}的预算和时间表",
        "与{who}交流{topic}技术路线，对方提出兼容性问题",
        "陪同{who}参观样板点，重点看{topic}",
        "{who}反馈上次{topic}交流的意见",
    ],
    "en": [
        "Discussed {topic} needs with {who}; ROI is their main concern",
        "Presented our {topic} proposal to {who}; scope under discussion",
        "Visited {who} to learn the {topic} budget and timeline",
        "Technical exchange with {who} on {topic}; compatibility questions raised",
        "Hosted {who} at a reference site, focused on {topic}",
        "{who} gave feedback on the last {topic} session",
    ],
}
OUTCOMES = {
    "zh": [
        "对方认可方向，需要补充案例",
        "同意进入技术评估",
        "预算待集团审批",
        "竞争对手也在接触",
        "约定下次由我方高层拜访",
        "对价格有顾虑",
    ],
    "en": [
        "They like the direction; want more reference cases",
        "Agreed to a technical evaluation",
        "Budget awaits group approval",
        "A competitor is also talking to them",
        "Next visit to include our executives",
        "Concerned about price",
    ],
}
NEXT_STEPS = {
    "zh": [
        "发送方案书和报价",
        "安排技术交流会",
        "邀请参观样板客户",
        "提交POC计划",
        "约见采购部",
        "准备高层拜访简报",
    ],
    "en": [
        "Send the proposal and quote",
        "Arrange a technical workshop",
        "Invite to a reference site",
        "Submit the POC plan",
        "Meet procurement",
        "Prepare the executive visit briefing",
    ],
}

# Deals. Project names: (Chinese, English); a phase or year makes repeats on one account distinct.
ENTERPRISE_DEALS = [
    ("变电站自动化改造", "Substation automation upgrade"),
    ("智能运维平台建设", "Predictive maintenance platform"),
    ("数据中心扩容", "Data-centre expansion"),
    ("5G专网建设", "Private 5G network"),
    ("供应链协同系统", "Supply-chain collaboration system"),
    ("ERP升级", "ERP upgrade"),
    ("安全生产监控平台", "Safety monitoring platform"),
    ("私有云迁移", "Private cloud migration"),
    ("生产线数字化改造", "Production line digitalisation"),
    ("核心网络改造", "Core network refresh"),
    ("智慧园区建设", "Smart campus"),
    ("灾备中心建设", "Disaster recovery centre"),
]
TRANSACTIONAL_DEALS = [
    ("服务器采购", "Server purchase"),
    ("交换机扩容", "Switch capacity add-on"),
    ("软件许可续费", "Software licence renewal"),
    ("年度维保服务", "Annual maintenance contract"),
    ("备品备件采购", "Spare parts order"),
    ("笔记本电脑更新", "Laptop refresh"),
    ("存储扩容", "Storage expansion"),
    ("防火墙采购", "Firewall purchase"),
    ("运维培训服务", "Operations training"),
]
PHASES = [("", ""), ("一期", " Phase I"), ("二期", " Phase II"), ("三期", " Phase III")]
CUSTOMER_NEEDS = [
    (
        "现有系统老化、故障频发，须在明年汛期前完成改造",
        "Ageing system with frequent outages; must be replaced before next year's flood season",
    ),
    (
        "集团要求三年内完成数字化转型，今年预算已批复",
        "Group mandate to digitalise within three years; this year's budget is approved",
    ),
    ("业务量增长一倍，现有容量无法支撑", "Business volume doubled; current capacity cannot cope"),
    (
        "监管新规要求数据本地化并通过等保三级",
        "New regulation requires local data and MLPS level 3 certification",
    ),
    ("运维成本需降低20%", "Operating cost must fall by 20%"),
    (
        "替换即将停产的设备，避免断供风险",
        "Replace equipment reaching end of life before support ends",
    ),
]
COMPETITORS = [
    ("华拓科技", "Huatuo Tech"),
    ("中诚信息", "Zhongcheng IT"),
    ("Zenith Systems", "Zenith Systems"),
    ("Norland", "Norland"),
    ("远航数据", "Yuanhang Data"),
    ("本地集成商", "a local integrator"),
]
# Keys of the shipped playbooks' loss_reasons; a key a playbook lacks is lost for "other", said in
# words (SPECIFICATION)
LOSS_REASONS = ["price", "competitor", "no_budget", "cancelled", "specification", "no_decision"]
SPECIFICATION = ("方案不满足技术要求", "Solution did not meet the specification")
WIN_REASONS = [
    ("方案和样板点得到客户认可", "Our solution and reference site convinced them"),
    ("服务响应和本地团队是关键", "Local team and service response made the difference"),
]
OVERRIDE_REASONS = [
    (
        "客户总经理已口头确认，书面材料下周补齐",
        "The GM confirmed verbally; paperwork follows next week",
    ),
    (
        "招标时间提前，先推进，检查项随后补齐",
        "Tender brought forward: moving now, checklist follows",
    ),
    ("战略客户，总部特批", "Strategic account: HQ approved the exception"),
]
EVIDENCE = [
    ("会议纪要，客户信息中心主任已签字确认", "Meeting minutes signed off by the customer's CIO"),
    (
        "客户规划文件第3章，已上传共享盘",
        "Customer's planning document, chapter 3, on the shared drive",
    ),
    ("客户邮件确认，见附件", "Confirmed by the customer's e-mail, attached"),
    ("评审会纪要及签到表", "Review meeting minutes and attendance sheet"),
    ("客户盖章回执扫描件", "Stamped receipt from the customer (scan)"),
    ("OA审批流程截图", "Screenshot of the approval workflow"),
]
APPROVAL_COMMENTS = [
    ("同意，注意控制毛利", "Go ahead; keep an eye on the margin"),
    ("同意，付款条件不低于三三四", "Approved; payment terms no worse than 30/30/40"),
    ("同意", "Approved"),
]
