"""Pure presentation: engine state -> view models for the stage, the explain panel and the
union-filesystem explorer, with all SVG geometry computed here. No Flask, no I/O.

    stage(daemon, events, command="", selected="", kept=None, lang="") -> StageView  (present/stage.py;
        kept: a stage.Kept of the sandbox's view models from its last drawing, reused when unchanged)
    explain(command, exit_code, events, lang="en") -> Explanation    (present/explain.py)
    explore(daemon, target, layer="", view="layer") -> Explorer|None (present/explorer.py)
"""
from .explain import Explanation, command_kind, explain
from .explorer import Explorer, explore
from .stage import StageView, stage

__all__ = ["stage", "StageView", "explain", "Explanation", "command_kind", "explore", "Explorer"]
