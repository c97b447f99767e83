"""The Rasa server with the project's changes to Rasa installed: `python -m components.server run ...`
takes exactly the arguments of `rasa`."""

from __future__ import annotations

from components import rasa_patches


def main() -> None:
    rasa_patches.install()
    from rasa.__main__ import main as rasa_main  # after the patches, so that Rasa runs with them

    rasa_main()


if __name__ == "__main__":
    main()
