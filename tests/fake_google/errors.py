"""Google's error answers, in the shapes the real APIs send.

Sheets v4 (and every newer Google API) answers `{"error": {"code", "message", "status",
"details"}}`; Drive v3 adds the older `errors: [{domain, reason, message}]` list beside them.
"""

from __future__ import annotations

from typing import Any

PROJECT_NUMBER = "123456789012"

_STATUS_OF_CODE = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ABORTED",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    502: "UNAVAILABLE",
    503: "UNAVAILABLE",
}

_API_NAMES = {
    "sheets": ("Google Sheets API", "sheets.googleapis.com"),
    "drive": ("Google Drive API", "drive.googleapis.com"),
}


class GoogleError(Exception):
    """An error answer the fake sends: status, JSON (or HTML) body, extra headers."""

    def __init__(
        self,
        code: int,
        body: dict[str, Any] | str,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{code}: {body if isinstance(body, str) else body['error']['message']}")
        self.code = code
        self.body = body
        self.headers = headers or {}


def error(
    api: str,
    code: int,
    message: str,
    *,
    status: str | None = None,
    reason: str | None = None,
    details: list[dict[str, Any]] | None = None,
    domain: str = "global",
    headers: dict[str, str] | None = None,
) -> GoogleError:
    """An error in Google's shape; Drive answers also carry the `errors` list."""
    body: dict[str, Any] = {
        "code": code,
        "message": message,
        "status": status or _STATUS_OF_CODE.get(code, "UNKNOWN"),
    }
    if details:
        body["details"] = details
    if api == "drive":
        body["errors"] = [{"message": message, "domain": domain, "reason": reason or "invalid"}]
    return GoogleError(code, {"error": body}, headers)


def invalid_argument(api: str, message: str) -> GoogleError:
    return error(api, 400, message, reason="badRequest")


def not_found(api: str, file_id: str) -> GoogleError:
    if api == "drive":
        return error(api, 404, f"File not found: {file_id}.", reason="notFound", domain="global")
    return error(api, 404, "Requested entity was not found.")


def permission_denied(api: str, file_id: str) -> GoogleError:
    if api == "drive":
        msg = f"The user does not have sufficient permissions for file {file_id}."
        return error(api, 403, msg, reason="insufficientFilePermissions")
    return error(api, 403, "The caller does not have permission")


def service_disabled(api: str) -> GoogleError:
    name, service = _API_NAMES.get(api, _API_NAMES["sheets"])
    url = (
        f"https://console.developers.google.com/apis/api/{service}/overview"
        f"?project={PROJECT_NUMBER}"
    )
    message = (
        f"{name} has not been used in project {PROJECT_NUMBER} before or it is disabled. "
        f"Enable it by visiting {url} then retry. If you enabled this API recently, wait a "
        "few minutes for the action to propagate to our systems and retry."
    )
    details: list[dict[str, Any]] = [
        {
            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
            "reason": "SERVICE_DISABLED",
            "domain": "googleapis.com",
            "metadata": {
                "service": service,
                "consumer": f"projects/{PROJECT_NUMBER}",
                "activationUrl": url,
                "serviceTitle": name,
                "containerInfo": PROJECT_NUMBER,
            },
        },
        {
            "@type": "type.googleapis.com/google.rpc.Help",
            "links": [{"description": "Google developers console API activation", "url": url}],
        },
    ]
    return error(
        api, 403, message, details=details, reason="accessNotConfigured", domain="usageLimits"
    )


def failed_precondition(api: str) -> GoogleError:
    return error(
        api,
        400,
        "This operation is not supported for this document",
        status="FAILED_PRECONDITION",
        reason="failedPrecondition",
    )


def internal(api: str) -> GoogleError:
    return error(api, 500, "Internal error encountered.", reason="backendError")


def rate_limited(api: str, retry_after: float | None = None) -> GoogleError:
    _name, service = _API_NAMES.get(api, _API_NAMES["sheets"])
    message = (
        f"Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute "
        f"per user' of service '{service}' for consumer 'project_number:{PROJECT_NUMBER}'."
    )
    details = [
        {
            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
            "reason": "RATE_LIMIT_EXCEEDED",
            "domain": "googleapis.com",
            "metadata": {
                "service": service,
                "quota_metric": f"{service}/read_requests",
                "quota_limit": "ReadRequestsPerMinutePerUser",
                "consumer": f"projects/{PROJECT_NUMBER}",
            },
        }
    ]
    headers = {"Retry-After": _seconds(retry_after)} if retry_after is not None else None
    return error(
        api,
        429,
        message,
        details=details,
        reason="rateLimitExceeded",
        domain="usageLimits",
        headers=headers,
    )


def user_rate_limited(api: str) -> GoogleError:
    """Drive's older rate-limit answer: 403 with reason userRateLimitExceeded."""
    return error(
        api,
        403,
        "User rate limit exceeded.",
        reason="userRateLimitExceeded",
        domain="usageLimits",
    )


def storage_quota_exceeded() -> GoogleError:
    message = (
        "Service Accounts do not have storage quota. Leverage shared drives "
        "(https://developers.google.com/workspace/drive/api/guides/about-shareddrives), "
        "or use OAuth delegation "
        "(http://support.google.com/a/answer/7281227) instead."
    )
    return error("drive", 403, message, reason="storageQuotaExceeded", domain="usageLimits")


def html_bad_gateway() -> GoogleError:
    html = (
        "<!DOCTYPE html><html lang=en><meta charset=utf-8><title>Error 502 (Server Error)!!1"
        "</title><p><b>502.</b> <ins>That’s an error.</ins><p>The server encountered a "
        "temporary error and could not complete your request.<p>Please try again in 30 "
        "seconds. <ins>That’s all we know.</ins></html>"
    )
    return GoogleError(502, html)


def _seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def invalid_sharing_request() -> GoogleError:
    """permissions.create when Drive cannot send the sharing e-mail it was asked to."""
    message = (
        "Bad Request. User message: \"We're sorry, but we can't send an email notification "
        'to this address right now."'
    )
    return error("drive", 400, message, reason="invalidSharingRequest")


def sharing_rate_limited() -> GoogleError:
    """permissions.create too fast: Drive's sharing rate limit."""
    return error(
        "drive", 403, "Rate limit exceeded. User message: \"Sorry, you have exceeded your "
        "sharing quota.\"", reason="sharingRateLimitExceeded", domain="usageLimits",
    )  # fmt: skip
