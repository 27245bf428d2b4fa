"""Management chains: which mentee-mentor pairs sit in one reporting line.

The chart is a directed graph (person -> manager) from every cohort member's
``manager_id`` and the cohort's extra ``org_chart`` edges, walked with plain dicts (one
depth-first pass); a chart with a cycle is condensed with networkx, imported only then.
Managers outside the cohort are nodes like anyone else, so a chain runs through them. A
pair is in one chain when the mentor is anywhere above the mentee (manager, manager's
manager, ...) or the mentee anywhere above the mentor. Cycles in a faulty chart are
harmless: every member of a cycle is above every other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from matcher.model import Cohort
from matcher.sorted_ints import union_sorted

if TYPE_CHECKING:
    import networkx as nx


def management_graph(cohort: Cohort) -> nx.DiGraph:
    """The person -> manager graph of ``cohort`` (nodes are ids).

    Parameters
    ----------
    cohort : supplies ``manager_id`` of every person and ``org_chart`` edges.

    Returns
    -------
    networkx.DiGraph
    """
    import networkx as nx  # only charts with cycles need it: imported on demand

    graph = nx.DiGraph()
    for person in (*cohort.mentees, *cohort.mentors):
        if person.manager_id:
            graph.add_edge(person.id, person.manager_id)
    graph.add_edges_from((p, m) for p, m in cohort.org_chart if p and m)
    return graph


def _parents(cohort: Cohort) -> dict[str, list[str]]:
    """person -> managers (the edges of :func:`management_graph`, without networkx)."""
    parents: dict[str, list[str]] = {}
    edges = [(p.id, p.manager_id) for p in (*cohort.mentees, *cohort.mentors) if p.manager_id]
    edges += [(p, m) for p, m in cohort.org_chart if p and m]
    for person, manager in edges:
        parents.setdefault(person, [])
        if manager not in parents[person]:
            parents[person].append(manager)
    return parents


def _above_acyclic(parents: dict[str, list[str]]) -> dict[str, frozenset[str]] | None:
    """Everyone above each person by a depth-first walk; None if the chart has a cycle."""
    up: dict[str, frozenset[str]] = {}
    on_path: set[str] = set()
    for root in parents:
        if root in up:
            continue
        stack = [(root, False)]
        while stack:
            node, done = stack.pop()
            if done:
                found: set[str] = set()
                for manager in parents.get(node, ()):
                    found.add(manager)
                    found |= up[manager]
                up[node] = frozenset(found)
                on_path.discard(node)
                continue
            if node in up:
                continue
            if node in on_path:
                return None  # a cycle: every member is above every other
            on_path.add(node)
            stack.append((node, True))
            for manager in parents.get(node, ()):
                if manager not in up:
                    if manager in on_path:
                        return None
                    stack.append((manager, False))
    return up


def _above(graph: nx.DiGraph) -> dict[str, frozenset[str]]:
    """Everyone above each node: one pass in reverse topological order.

    A chart with cycles is first condensed so that each cycle is one node whose members
    are all above one another.
    """
    import networkx as nx

    try:
        order = list(nx.topological_sort(graph))
    except nx.NetworkXUnfeasible:
        return _above_with_cycles(graph)
    up: dict[str, frozenset[str]] = {}
    for node in reversed(order):
        found: set[str] = set()
        for manager in graph.successors(node):
            found.add(manager)
            found |= up[manager]
        up[node] = frozenset(found)
    return up


def _above_with_cycles(graph: nx.DiGraph) -> dict[str, frozenset[str]]:
    import networkx as nx

    dag = nx.condensation(graph)
    reach: dict[int, frozenset[str]] = {}
    for c in reversed(list(nx.topological_sort(dag))):
        members = dag.nodes[c]["members"]
        found: set[str] = set(members) if len(members) > 1 else set()
        for d in dag.successors(c):
            found |= dag.nodes[d]["members"]
            found |= reach[d]
        reach[c] = frozenset(found)
    return {node: reach[c] for node, c in dag.graph["mapping"].items()}


def chain_pairs(cohort: Cohort) -> tuple[np.ndarray, np.ndarray]:
    """Mentee and mentor indices of every pair in one management chain.

    Parameters
    ----------
    cohort : the validated cohort.

    Returns
    -------
    (mentee_idx, mentor_idx)
        int64 arrays, sorted by mentee then mentor, without repeats.
    """
    parents = _parents(cohort)
    if parents and all(len(managers) == 1 for managers in parents.values()):
        found = _single_line_pairs(cohort, parents)
        if found is not None:
            return found
    mentor_at = {m.id: j for j, m in enumerate(cohort.mentors)}
    mentee_at = {e.id: i for i, e in enumerate(cohort.mentees)}
    pairs: set[tuple[int, int]] = set()
    if parents:
        above = _above_acyclic(parents)
        if above is None:
            above = _above(management_graph(cohort))
        for i, mentee in enumerate(cohort.mentees):
            for x in above.get(mentee.id, ()):
                if x in mentor_at:
                    pairs.add((i, mentor_at[x]))
        for j, mentor in enumerate(cohort.mentors):
            for x in above.get(mentor.id, ()):
                if x in mentee_at:
                    pairs.add((mentee_at[x], j))
    ordered = sorted(pairs)
    return (
        np.array([i for i, _ in ordered], dtype=np.int64),
        np.array([j for _, j in ordered], dtype=np.int64),
    )


def _single_line_pairs(
    cohort: Cohort, parents: dict[str, list[str]]
) -> tuple[np.ndarray, np.ndarray] | None:
    """:func:`chain_pairs` of a chart where everyone has one manager, by index arrays.

    Everyone steps up to their manager together, level by level (the 60,000 people of a
    generated 50,000 x 10,000 cohort, in lines at most 8 long, take 8 steps), instead of
    a walk per person. None when the chart has a cycle (someone is still climbing after
    as many steps as there are people).
    """
    node: dict[str, int] = {}
    for name in (*(e.id for e in cohort.mentees), *(m.id for m in cohort.mentors), *parents):
        node.setdefault(name, len(node))
    for managers in parents.values():
        node.setdefault(managers[0], len(node))
    up = np.full(len(node), -1, np.int64)
    up[[node[p] for p in parents]] = [node[m[0]] for m in parents.values()]
    mentee_of = np.full(len(node), -1, np.int64)
    mentor_of = np.full(len(node), -1, np.int64)
    mentee_nodes = np.array([node[e.id] for e in cohort.mentees], np.int64)
    mentor_nodes = np.array([node[m.id] for m in cohort.mentors], np.int64)
    mentee_of[mentee_nodes] = np.arange(mentee_nodes.size)
    mentor_of[mentor_nodes] = np.arange(mentor_nodes.size)
    found = []
    for people, role_of, mine in ((mentee_nodes, mentor_of, 0), (mentor_nodes, mentee_of, 1)):
        who = np.arange(people.size)
        at = up[people]
        for _ in range(len(node)):
            climbing = at >= 0
            if not climbing.any():
                break
            who, at = who[climbing], at[climbing]
            other = role_of[at]
            hit = other >= 0
            pair = (who[hit], other[hit]) if mine == 0 else (other[hit], who[hit])
            found.append(pair[0] * len(cohort.mentors) + pair[1])
            at = up[at]
        else:
            return None  # still climbing after len(node) steps: a cycle
    linear = union_sorted(*found)
    return linear // len(cohort.mentors), linear % len(cohort.mentors)
