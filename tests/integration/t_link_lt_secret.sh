#!/usr/bin/env bash
# t_link_lt_secret: t_link_bare_comma_secret with a '<' in the bare
# target's password (rv4). bare_piece_len() ends a bare URL at '<':
# "http://bob:hun" is redacted as a URL without userinfo, and "<ter2@..."
# is read as a <target> (no '>') without a scheme: nothing is masked.
# A bare URL is now one piece up to whitespace. (Helper 169.)
# brokers: mock
. "$(dirname "$0")/lib_link_secret.sh"
link_secret_course '</items?page=1>; rel="prev", http://bob:hun<ter2@HOST/items?page=3; rel="next"' 'hun<ter2'
log "ok"
