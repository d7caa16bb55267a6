#!/usr/bin/env bash
# t_link_bare_comma_secret: t_link_bare_target_secret (161b42e) with a
# password holding a ',' (a sub-delim RFC 3986 allows unencoded in
# userinfo). redact_links() splits the text between <targets> at
# whitespace, ',' and ';' before url_redact(): "http://bob:hunter2" is
# redacted as a URL without userinfo (no '@'), "pw@host/...": as text, and
# both halves of the password reach the error logged.
# A URL in that text is now one piece, up to whitespace or '<'.
# (Helper 168.)
# brokers: mock
. "$(dirname "$0")/lib_link_secret.sh"
link_secret_course '</items?page=1>; rel="prev", http://bob:hunter2,pw@HOST/items?api_key=KEY&page=3; rel="next"' hunter2
log "ok"
