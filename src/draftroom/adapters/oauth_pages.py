"""The sign-in pages: sign-in form, consent form, error page. Every value is escaped.

Plain HTML, no script: the forms post back to the authorization endpoint with the request's
parameters as hidden fields and the CSRF token of the browser's cookie.
"""

from __future__ import annotations

from html import escape

from starlette.responses import HTMLResponse

from draftroom.domain.signin import AUTHORIZE_PATH, START_PATH, Params, Prompt

HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
}
_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:26rem;margin:3rem auto;padding:0 1rem}"
    "label,input,button{display:block;width:100%;margin:.4rem 0}input,button{padding:.5rem}"
    ".error{color:#a00}"
)


def _page(title: str, body: str, status: int) -> HTMLResponse:
    html = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}'
        f'</title><meta name="viewport" content="width=device-width"><style>{_STYLE}</style>'
        f"</head><body><h1>{escape(title)}</h1>{body}</body></html>"
    )
    return HTMLResponse(html, status_code=status, headers=HEADERS)


def _hidden(params: Params, csrf: str) -> str:
    fields = [*params, ("csrf_token", csrf)]
    return "".join(
        f'<input type="hidden" name="{escape(name)}" value="{escape(value)}">'
        for name, value in fields
    )


def sign_in_page(
    prompt: Prompt,
    csrf: str,
    message: str | None = None,
    status: int = 200,
    *,
    github: bool = False,
) -> HTMLResponse:
    error = f'<p class="error" role="alert">{escape(message)}</p>' if message else ""
    body = (
        f"<p>Sign in to draftroom to let <strong>{escape(prompt.client_name)}</strong> work "
        f"as you.</p>{error}"
        f'<form method="post" action="{AUTHORIZE_PATH}">{_hidden(prompt.params, csrf)}'
        '<label for="email">Email</label>'
        f'<input id="email" name="email" type="email" autocomplete="username" required value="{escape(prompt.email or "")}">'
        '<label for="password">Password</label>'
        '<input id="password" name="password" type="password" autocomplete="current-password" required>'
        '<button type="submit">Sign in</button></form>'
    )
    if github:
        body += (
            f'<form method="post" action="{START_PATH}">{_hidden(prompt.params, csrf)}'
            '<button type="submit">Sign in with GitHub</button></form>'
        )
    return _page("Sign in", body, status)


def consent_page(prompt: Prompt, csrf: str) -> HTMLResponse:
    ticket = [("ticket", prompt.ticket or "")]
    body = (
        f"<p>Signed in as {escape(prompt.email or '')}.</p>"
        f"<p><strong>{escape(prompt.client_name)}</strong> asks to use draftroom as you: your "
        "sandboxes, and what your role allows. Allow it?</p>"
        f'<form method="post" action="{AUTHORIZE_PATH}">{_hidden([*prompt.params, *ticket], csrf)}'
        '<button type="submit" name="decision" value="allow">Allow</button>'
        '<button type="submit" name="decision" value="deny">Deny</button></form>'
    )
    return _page("Allow access", body, 200)


def error_page(message: str, status: int) -> HTMLResponse:
    return _page("Sign-in failed", f'<p class="error" role="alert">{escape(message)}</p>', status)
