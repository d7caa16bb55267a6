# shellcheck shell=bash
# lib_items.sh - lib.sh for a scenario on the items stream of a scripted
# API (start_hostileapi; hostile_api.py's Items keeps such an API's
# records and deleted list): the fixture schema fixtures/item.avsc (id,
# name, updated_at) and no soft-delete field. Sourced instead of lib.sh.
# shellcheck disable=SC2034 # variables read by lib.sh
STREAM=items
CURSOR_FIELD=updated_at
SOFT_DELETE_FIELD=""
SCHEMA="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/fixtures/item.avsc"
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
