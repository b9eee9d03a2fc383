"""Everything that runs inside the sandbox: the fork-server worker, the child's confinement, the runner.

This directory is bind-mounted alone into the sandbox and imported there as the top-level package `inside`,
so its modules import only the standard library, numpy and each other (relatively). Keep this file empty of
imports: the parent imports constants from `grader.inside` too.
"""
