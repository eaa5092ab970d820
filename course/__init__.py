"""LayerLab's course: lessons and the article's walkthrough as data, goals checked on a sandbox.

Pure code over the engine (no Flask): course.lessons loads and validates lessons/*.toml,
course.goals evaluates goal predicates, course.walkthrough replays the article figure by figure.
"""
