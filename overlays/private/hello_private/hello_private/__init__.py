"""A private package built from a local folder by the `private_package` overlay."""

import requests


def main() -> int:
    print(f"hello from a private package, using requests {requests.__version__}")
    return 0
