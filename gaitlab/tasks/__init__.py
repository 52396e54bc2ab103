"""Task analyzers: events, reps, phases and summary metrics for each task.

Each analyzer is a pure function ``analyze_<task>(ctx: TaskContext) -> TaskResult``; the
pipeline picks one by task name (:data:`ANALYZERS`, filled as analyzers land).
"""

from gaitlab.tasks.base import TaskContext, TaskResult

__all__ = ["TaskContext", "TaskResult"]
