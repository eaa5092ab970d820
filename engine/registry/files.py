"""The text files of the registry images (real upstream contents, some shortened), kept as data in
engine/registry/data/texts.toml and read once here; the images' data files name them ({text = "alpine-motd"})."""
from engine.registry import data

TEXTS: dict[str, str] = data.load("texts.toml")
HELLO_WORLD_TEXT = TEXTS["hello-world"]  # what hello-world's /hello prints
