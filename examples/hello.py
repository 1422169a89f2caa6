"""A two-step derivation chain with shell builders.

`pybuild build -f examples/hello.py hello -o result` builds it and links `result` to `hello`'s
output (without `-o`, it prints the path and makes no link). `greeting` writes a text file;
`hello` makes a script that prints it. Because `hello` names `greeting`'s path, `greeting` is
one of its inputs and, since the script refers to it, one of its runtime references
(`pybuild path-info -r result` lists both).
"""

from pathlib import Path

from pybuild import derivation

greeting = derivation(
    name="greeting",
    builder="/bin/sh",
    args=["-c", 'mkdir "$out" && echo "Hello, world!" > "$out/greeting.txt"'],
)

hello = derivation(
    name="hello",
    builder="/bin/sh",
    args=[Path(__file__).parent / "hello-builder.sh"],
    env={"greeting_name": Path(greeting.path()).name, "greeting": greeting},
)
