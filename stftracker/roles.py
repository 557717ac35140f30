"""Roles are Django groups; this is what each may do. Admins are superusers."""

from trusts.roles import ANALYST, FINANCE_DIRECTOR

VIEW_ALL = [
    ("trusts", "region"), ("trusts", "footprint"), ("trusts", "trust"), ("trusts", "upload"),
    ("performance", "performancereturn"), ("performance", "trajectory"),
    ("finance", "scheme"), ("finance", "allocation"), ("finance", "financereturn"),
    ("finance", "entitlement"), ("finance", "yearendaward"), ("finance", "recomputerun"),
]

ROLE_PERMISSIONS = {
    ANALYST: (
        [f"{app}.view_{model}" for app, model in VIEW_ALL]
        + [f"trusts.{action}_{model}" for model in ("region", "footprint", "trust") for action in ("add", "change")]
        + ["finance.add_scheme", "finance.change_scheme", "finance.add_allocation", "finance.change_allocation"]
        + ["trusts.add_upload", "trusts.import_national", "trusts.upload_trust_returns"]
    ),
    FINANCE_DIRECTOR: [
        "trusts.view_trust", "trusts.view_region", "trusts.view_footprint", "trusts.view_upload",
        "trusts.add_upload", "trusts.upload_trust_returns",
        "finance.view_scheme", "finance.view_entitlement", "finance.view_financereturn",
        "performance.view_performancereturn", "performance.view_trajectory",
    ],
}
