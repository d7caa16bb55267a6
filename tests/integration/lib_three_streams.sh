# shellcheck shell=bash
# lib_three_streams.sh - lib.sh plus add_stream: more [stream] sections
# copied from the first one that write_config wrote (t_multi_follow_one_busy).
# Sourced.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# add_stream NAME [TABLE] [URL] - appends [stream NAME], a copy of the
# first stream's section with table = TABLE (default NAME) and, if given,
# url = URL (and no deleted.url when URL is given).
add_stream()
{
    local name=$1 table=${2:-$1} url=${3:-}
    {
        echo
        echo "[stream $name]"
        sed -n '/^\[stream /,/^\[stream /p' "$CONF" | sed -n '2,/^\[stream /p' | grep -v '^\[stream ' | grep -v '^$' |
            sed -e "s|^table = .*|table = $table|" |
            if [ -n "$url" ]; then sed -e "s|^url = .*|url = $url|" -e "s|^deleted.url = .*|deleted.url = $url/deleted|"; else cat; fi
    } >"$T_WORK/add_stream.tmp"
    cat "$T_WORK/add_stream.tmp" >>"$CONF"
}
