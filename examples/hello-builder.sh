# Builder of `hello` (examples/hello.py): a script that prints the greeting made by `greeting`.
# The script finds the greeting relative to itself, so the store still works after a move.
set -eu
mkdir -p "$out/bin"
cat > "$out/bin/hello" <<SCRIPT
#!/bin/sh
here=\$(dirname "\$0")
exec cat "\$here/../../$greeting_name/greeting.txt"
SCRIPT
chmod +x "$out/bin/hello"
