# ruff: noqa: RUF012  (Django declares Meta options and choices as class lists)
"""ORM models mirroring the domain model (jixiao.model); conversion lives in `convert.py`.

Every write goes through `actions/`; nothing else saves these models.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "管理员"
    REVIEWER = "reviewer", "审核人"
    UNIT = "unit", "单位用户"


class State(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交"
    RETURNED = "returned", "已退回"
    APPROVED = "approved", "已批复"
    PUBLISHED = "published", "已公开"


# the states whose targets are final: monitoring and self-evaluation are entered against these only
CYCLE_STATES = (State.APPROVED, State.PUBLISHED)


class Unit(models.Model):
    """预算单位: identified by region + code + name (codes repeat across finance systems)."""

    region = models.CharField("地区", max_length=100, blank=True, default="")
    code = models.CharField("单位编码", max_length=50, blank=True, default="", db_index=True)
    name = models.CharField("单位名称", max_length=200)

    class Meta:
        verbose_name = verbose_name_plural = "预算单位"
        ordering = ["region", "code", "name"]
        constraints = [models.UniqueConstraint(fields=["region", "code", "name"], name="unit_identity")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}".strip()


class User(AbstractUser):
    role = models.CharField("角色", max_length=10, choices=Role.choices, default=Role.UNIT)
    units = models.ManyToManyField(Unit, verbose_name="所属单位", blank=True, related_name="members")

    class Meta:
        verbose_name = verbose_name_plural = "用户"

    @property
    def is_admin_role(self) -> bool:
        return self.role == Role.ADMIN or self.is_superuser

    @property
    def is_reviewer_role(self) -> bool:
        return self.role == Role.REVIEWER


class ApiToken(models.Model):
    """An API token for scripts (`Authorization: Bearer TOKEN`); only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="tokens")
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "API 令牌"

    def __str__(self) -> str:
        return f"{self.user.username} {self.prefix}…"


class Disclosure(models.Model):
    """One unit's disclosed performance information for one budget year (unit-year)."""

    # no index of its own: the unique (unit, year) index answers every lookup by unit
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="disclosures", db_index=False)
    year = models.IntegerField("年度", null=True, blank=True)
    source = models.CharField("来源文件", max_length=300, blank=True, default="")
    overall_goal = models.TextField("部门整体绩效目标", blank=True, null=True)
    budget_overview = models.JSONField("预算概况", null=True, blank=True)
    warnings = models.JSONField("导入警告", default=list, blank=True)
    imported_at = models.DateTimeField("导入时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "单位年度公开"
        ordering = ["unit_id", "-year"]
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="disclosure_unit_year")]

    def __str__(self) -> str:
        return f"{self.unit} {self.year or ''}"


class SubGoal(models.Model):
    disclosure = models.ForeignKey(Disclosure, on_delete=models.CASCADE, related_name="sub_goals")
    seq = models.IntegerField(default=0)
    title = models.CharField("分项", max_length=300)
    goal = models.TextField("绩效目标", null=True, blank=True)
    indicators = models.TextField("绩效指标", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "分项绩效目标"
        ordering = ["disclosure_id", "seq"]

    def __str__(self) -> str:
        return self.title


class Project(models.Model):
    """项目 with its 绩效目标表, a workflow state and a version for optimistic locking."""

    # no index of their own: (disclosure, seq) and the unique (unit, year, key) answer every lookup
    disclosure = models.ForeignKey(
        Disclosure, on_delete=models.CASCADE, related_name="projects", db_index=False
    )
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="projects", db_index=False)
    year = models.IntegerField("年度", null=True, blank=True)
    key = models.CharField(max_length=320, help_text="code, or name: + name; the re-import key")
    seq = models.IntegerField("序号", default=0)
    title = models.CharField("表名", max_length=300, null=True, blank=True)
    name = models.CharField("项目名称", max_length=300, null=True, blank=True)
    code = models.CharField("项目编码", max_length=60, null=True, blank=True)
    budget_total = models.DecimalField(
        "预算数（万元）", max_digits=18, decimal_places=6, null=True, blank=True
    )
    budget_fiscal = models.DecimalField("财政资金", max_digits=18, decimal_places=6, null=True, blank=True)
    budget_other = models.DecimalField("其他资金", max_digits=18, decimal_places=6, null=True, blank=True)
    purpose = models.TextField("资金用途", null=True, blank=True)
    spending_plan = models.JSONField("资金支出计划", null=True, blank=True)
    goal = models.TextField("绩效目标", null=True, blank=True)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.DRAFT)
    version = models.PositiveIntegerField("版本", default=1)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    # the latest 运行监控 and the 自评 result, repeated here for lists (kept by `actions`, which
    # writes every MonitoringSnapshot and SelfEvaluation; not part of the version or the history)
    monitor_light = models.CharField("最近监控结果", max_length=10, blank=True, default="")
    monitor_as_of = models.DateField("最近监控截至日期", null=True, blank=True)
    monitor_rate = models.DecimalField("最近执行率", max_digits=12, decimal_places=6, null=True, blank=True)
    eval_total = models.DecimalField("自评总分", max_digits=8, decimal_places=2, null=True, blank=True)
    eval_grade = models.CharField("自评等级", max_length=2, blank=True, default="")

    class Meta:
        verbose_name = verbose_name_plural = "项目"
        ordering = ["disclosure_id", "seq", "id"]
        constraints = [models.UniqueConstraint(fields=["unit", "year", "key"], name="project_unit_year_key")]
        indexes = [
            models.Index(fields=["disclosure", "seq"]),
            models.Index(fields=["year", "unit"]),
            # the home page's work lists (lib/worklist.py): projects by state, red and yellow lights
            models.Index(fields=["state", "year"], name="project_state_year"),
            models.Index(
                fields=["monitor_light"],
                name="project_light_warn",
                condition=models.Q(monitor_light__in=["red", "yellow"]),
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.title or self.key

    @property
    def cycle_block_reason(self) -> str | None:
        """Why monitoring and self-evaluation cannot be entered for this project (None: they can)."""
        if self.state in CYCLE_STATES:
            return None
        return (
            f"项目「{self}」{self.get_state_display()}：运行监控和绩效自评只对已批复或已公开的绩效目标填报，"
            "请在绩效目标审核通过后再填报。"
        )


class Indicator(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="indicators", db_index=False)
    seq = models.IntegerField(default=0)
    level1 = models.CharField("一级指标", max_length=100, null=True, blank=True)
    level2 = models.CharField("二级指标", max_length=100, null=True, blank=True)
    name = models.CharField("三级指标", max_length=300, null=True, blank=True)
    description = models.TextField("指标描述", null=True, blank=True)
    value = models.CharField("指标值", max_length=300, null=True, blank=True)
    basis = models.TextField("指标值确定依据", null=True, blank=True)
    nature = models.CharField("指标性质", max_length=50, null=True, blank=True)
    measure_unit = models.CharField("度量单位", max_length=50, null=True, blank=True)
    weight = models.CharField("分值/权重", max_length=50, null=True, blank=True)
    location = models.CharField("位置", max_length=200, null=True, blank=True)
    level1_canonical = models.CharField(max_length=20, null=True, blank=True)
    level2_canonical = models.CharField(max_length=20, null=True, blank=True)
    # the parsed 指标值 (TargetValue): the whole object, plus the fields queries use
    target = models.JSONField("解析值", null=True, blank=True)
    target_kind = models.CharField(max_length=10, default="text")
    target_op = models.CharField(max_length=8, null=True, blank=True)
    target_number = models.DecimalField(max_digits=24, decimal_places=8, null=True, blank=True)
    target_unit = models.CharField(max_length=50, null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "绩效指标"
        ordering = ["project_id", "seq", "id"]
        # by category without the LIKE-pattern twin a db_index field gets on PostgreSQL (equality only)
        indexes = [
            models.Index(fields=["project", "seq"]),
            models.Index(fields=["level1_canonical"], name="web_indicator_level1_idx"),
        ]

    def __str__(self) -> str:
        return self.name or ""


class History(models.Model):
    """Who changed what and when (every action records one)."""

    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL)
    username = models.CharField("用户", max_length=150, blank=True, default="")
    ACTIONS = [
        ("import", "导入"),
        ("edit", "修改"),
        ("submit", "提交"),
        ("return", "退回"),
        ("approve", "批复"),
        ("user", "用户"),
        ("token", "令牌"),
        ("monitor", "运行监控"),
        ("selfeval", "绩效自评"),
        ("outcome", "监控处理意见"),
        ("publish", "公开"),
        ("withdraw", "撤回公开"),
        ("delete", "删除项目"),
    ]
    action = models.CharField("操作", max_length=30, choices=ACTIONS)
    summary = models.TextField("说明", blank=True, default="")
    changes = models.JSONField("变更", null=True, blank=True)
    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.CASCADE, related_name="history"
    )
    disclosure = models.ForeignKey(
        Disclosure, null=True, blank=True, on_delete=models.CASCADE, related_name="history"
    )

    class Meta:
        verbose_name = verbose_name_plural = "变更记录"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.get_action_display()}"


class Outcome(models.TextChoices):
    """The reviewer's corrective outcome for a red or yellow monitoring result."""

    CONTINUE = "continue", "继续实施"
    ADJUST = "adjust", "调整绩效目标（经批准）"
    REDUCE = "reduce", "调减预算"
    SUSPEND = "suspend", "暂停实施"


LIGHTS = [("green", "绿灯"), ("yellow", "黄灯"), ("red", "红灯"), ("blue", "蓝灯")]


class MonitoringSnapshot(models.Model):
    """绩效运行监控: a project's spending and indicator actuals as of a date, with its lights.

    `rows` holds one entry per indicator in the project's order: indicator_id, name, target, actual,
    status (qualitative), reason_category, reason_text, likelihood, measures, light. The lights and
    `problems` (what keeps the report from being complete) are computed by `jixiao.cycle.monitor` on save.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="snapshots")
    as_of = models.DateField("监控截至日期")
    executed = models.DecimalField(
        "截至监控日执行数（万元）", max_digits=18, decimal_places=6, null=True, blank=True
    )
    reason_category = models.CharField("偏差原因类别", max_length=20, blank=True, default="")
    reason_text = models.TextField("偏差原因说明", blank=True, default="")
    likelihood = models.CharField("完成目标可能性", max_length=10, blank=True, default="")
    measures = models.TextField("整改措施", blank=True, default="")
    rows = models.JSONField("指标完成情况", default=list, blank=True)
    light = models.CharField("监控结果", max_length=10, choices=LIGHTS, blank=True, default="", db_index=True)
    spending_light = models.CharField("资金执行结果", max_length=10, blank=True, default="")
    execution_rate = models.DecimalField(max_digits=12, decimal_places=6, null=True, blank=True)
    expected = models.DecimalField("计划进度", max_digits=12, decimal_places=6, null=True, blank=True)
    problems = models.JSONField("待补充", default=list, blank=True)
    complete = models.BooleanField("填报完整", default=False)
    outcome = models.CharField("处理意见", max_length=10, choices=Outcome.choices, blank=True, default="")
    outcome_note = models.TextField("处理意见说明", blank=True, default="")
    outcome_by = models.CharField("处理人", max_length=150, blank=True, default="")
    outcome_at = models.DateTimeField("处理时间", null=True, blank=True)
    entered_by = models.CharField("填报人", max_length=150, blank=True, default="")
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "运行监控"
        ordering = ["project_id", "-as_of"]
        constraints = [models.UniqueConstraint(fields=["project", "as_of"], name="snapshot_project_as_of")]

    def __str__(self) -> str:
        return f"{self.project} {self.as_of}"


class SelfEvaluation(models.Model):
    """绩效自评: a project's year-end actuals and the score `jixiao.cycle.evaluate` gives them.

    `rows` holds one entry per indicator in the project's order: indicator_id, name, target, actual,
    band, score (the unit's own, qualitative), reason (偏差原因分析及改进措施). `result` is the scored
    table (`jixiao.cycle.evaluate.result_to_dict`); `total` and `grade` repeat its figures for lists.

    `published_at` (None: not published) and `published_by`: 公开 of the 自评表 (决算公开) by a reviewer
    or administrator (`actions.publish_selfeval`); only then do the readers' pages and the public
    API show it, and while published it cannot be changed (withdraw it first).
    """

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="selfeval")
    budget_adjusted = models.DecimalField("全年预算数（万元）", max_digits=18, decimal_places=6)
    budget_executed = models.DecimalField("全年执行数（万元）", max_digits=18, decimal_places=6)
    execution_reason = models.TextField("执行率偏差原因", blank=True, default="")
    goal_actual = models.TextField("总体目标实际完成情况", blank=True, default="")
    rows = models.JSONField("指标完成情况", default=list, blank=True)
    result = models.JSONField("评分结果", default=dict, blank=True)
    total = models.DecimalField("总分", max_digits=8, decimal_places=2, null=True, blank=True)
    grade = models.CharField("等级", max_length=2, blank=True, default="")
    entered_by = models.CharField("填报人", max_length=150, blank=True, default="")
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    published_at = models.DateTimeField("公开时间", null=True, blank=True)
    published_by = models.CharField("公开人", max_length=150, blank=True, default="")

    class Meta:
        verbose_name = verbose_name_plural = "绩效自评"

    def __str__(self) -> str:
        return f"{self.project} {self.total} {self.grade}"


class ReviewResult(models.Model):
    """Derived data, not domain data: a project's review (`jixiao.web.lib.reviews`), with its findings per
    rule and its indicators per category, stored when its unit-year is written, with the unit-year
    version and review settings it was computed for (`version`, a digest). One row per project, plus
    one row without a project holding the findings about the unit-year as a whole. Pages read these
    rows; a stale or missing row makes the reader review its unit-year again and store the result."""

    disclosure = models.ForeignKey(Disclosure, on_delete=models.CASCADE, related_name="review_results")
    project = models.OneToOneField(
        Project, null=True, blank=True, on_delete=models.CASCADE, related_name="review_result"
    )
    version = models.CharField(max_length=40)
    seq = models.IntegerField(default=0)
    name = models.CharField(max_length=300, blank=True, default="")
    unit_code = models.CharField(max_length=60, null=True, blank=True)
    unit_name = models.CharField(max_length=300, null=True, blank=True)
    findings = models.JSONField(default=list, blank=True)
    grade = models.CharField(max_length=2, blank=True, default="")
    headings = models.JSONField(default=dict, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    rules = models.JSONField(default=dict, blank=True)  # rule code → findings
    # the project's indicators by category, [[level1_canonical, level2_canonical, n], ...]: stored with
    # the review so that the unit-year page reads everything it sums per project in one query
    categories = models.JSONField(default=list, blank=True)
    settings_error = models.TextField(null=True, blank=True)
    # why the grade (`Outcome.score`, `.reasons`, `.heading_scores`): 0–100, reasons weightiest first
    score = models.FloatField(null=True, blank=True)
    reasons = models.JSONField(default=list, blank=True)
    heading_scores = models.JSONField(default=dict, blank=True)
    # `counts` by severity and the indicators in `categories`, as plain numbers: what the unit-year
    # page reads for each of its projects (a big bureau's lists 200) without decoding JSON
    error_count = models.IntegerField(default=0)
    warning_count = models.IntegerField(default=0)
    hint_count = models.IntegerField(default=0)
    indicator_count = models.IntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "审核结果"
        ordering = ["disclosure_id", "seq", "id"]

    def __str__(self) -> str:
        # the unit-year's own row (project None) holds the findings of no one project
        what = f"项目 {self.project_id}" if self.project_id else "跨项目"
        return f"单位年度 {self.disclosure_id} · {what}" + (f" · {self.grade}" if self.grade else "")
