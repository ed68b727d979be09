"""Report figures: drawing functions draw on a given axes and return it; report figures keep
the matplotlib figure, its alt text that states the figures and n, and make PNG bytes once."""

import io

import matplotlib
import networkx as nx
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from mss_eval.report import figures as F  # noqa: E402
from mss_eval.report.style import SUPPRESSED_MARKER  # noqa: E402

AGREE = ["strongly_disagree", "disagree", "neutral", "agree", "strongly_agree"]


def _png_size(png: bytes) -> tuple[int, int]:
    from PIL import Image

    return Image.open(io.BytesIO(png)).size


@pytest.fixture(autouse=True)
def no_leaked_figures():
    plt.close("all")
    yield
    assert plt.get_fignums() == [], "a figure function left a matplotlib figure open"


def likert_frame():
    counts = {"exp_heard": [1, 1, 2, 6, 4], "exp_time": [0, 2, 3, 5, 4], "exp_wishes": [1, 0, 1, 1, 0]}
    rows = []
    for item, cs in counts.items():
        n = sum(cs)
        for key, c in zip(AGREE, cs):
            rows.append({"item": item, "answer": key, "share": c / n, "n": n,
                         "suppressed": n < 5})
    return pd.DataFrame(rows)


def test_likert_bars_state_the_agreeing_share_and_leave_out_small_items():
    fig = F.likert_figure(likert_frame(), answer_order=AGREE, title="Ervaring",
                        item_labels={"exp_heard": "Gehoord", "exp_time": "Tijd",
                                     "exp_wishes": "Wensen"})
    # agree + strongly agree of exp_heard: 10 of 14 = 71%; exp_time 9 of 14 = 64%
    assert "Gehoord: 71% (helemaal) eens, n = 14" in fig.alt
    assert "Tijd: 64% (helemaal) eens, n = 14" in fig.alt
    assert "Wensen" not in fig.alt           # 3 answers: suppressed
    assert any("Wensen" in note for note in fig.notes)
    assert fig.png.startswith(b"\x89PNG")
    html = fig.to_html()
    assert html.startswith('<figure class="mss-figure"') and 'alt="Gestapeld' in html


def test_dot_plot_names_n_and_interval_and_skips_a_suppressed_region():
    frame = pd.DataFrame({"region": ["den_haag", "de_bilt"], "mean": [8.04, None],
                          "ci_low": [7.2, None], "ci_high": [8.8, None], "n": [14, 3],
                          "suppressed": [False, True]})
    fig = F.dot_plot_figure(frame, labels={"den_haag": "Den Haag", "de_bilt": "De Bilt"},
                        language="en", title="Rating")
    assert "Den Haag: 8.0 (95% CI 7.2–8.8), n = 14" in fig.alt
    assert "De Bilt: not shown" in fig.alt
    assert "8.0" in fig.alt and "n = 3" not in fig.alt.split("De Bilt")[1]
    assert fig.notes and fig.notes[0].startswith(f"{SUPPRESSED_MARKER} = ")


def test_network_ring_bars_describe_every_ring():
    rows = [{"region": "a", "ring": r, "mean": m, "n": 13, "suppressed": False}
            for r, m in zip(["close", "informal", "general", "care"], [1.4, 0.8, 2.5, 3.3])]
    fig = F.network_ring_figure(pd.DataFrame(rows), ring_order=["close", "informal", "general",
                                                                 "care"],
                              labels={"a": "Den Haag"})
    assert "Den Haag (n = 13): close 1,4, informal 0,8, general 2,5, care 3,3" in fig.alt


def test_share_bars_mark_a_suppressed_share():
    frame = pd.DataFrame({"domain": ["wonen", "wonen"], "kind": ["nodig", "ontvangen"],
                          "share": [0.43, None], "n": [14, 4], "suppressed": [False, True]})
    fig = F.share_figure(frame, category="domain", hue="kind")
    assert "wonen: nodig 43%" in fig.alt and "ontvangen" not in fig.alt
    assert fig.notes


def test_collaboration_network_is_drawn_the_same_way_every_time():
    graph = nx.Graph()
    graph.add_edges_from([("GGZ", "Gemeente"), ("GGZ", "Welzijn"), ("Welzijn", "Gemeente"),
                          ("GGZ", "Woningcorporatie")], weight=4)
    for node, group in [("GGZ", "care"), ("Gemeente", "gov"), ("Welzijn", "civil")]:
        graph.nodes[node]["group"] = group
    first = F.collaboration_network_figure({"a": graph, "b": graph.copy()}, labels={"a": "Den Haag"},
                                    hidden=["b"], node_group_labels={"care": "zorg"})
    # the same graph built in another node order gives the same picture
    other = nx.Graph()
    other.add_nodes_from(sorted(graph.nodes(data=True), reverse=True))
    other.add_edges_from(reversed(list(graph.edges(data=True))))
    second = F.collaboration_network_figure({"a": other}, labels={"a": "Den Haag"},
                                     node_group_labels={"care": "zorg"})
    assert first.png == second.png
    assert "Den Haag: 4 organisaties, 4 relaties" in first.alt
    assert "most" not in first.alt and "meest verbonden: GGZ" in first.alt
    assert any("b" in note for note in first.notes)


def test_an_empty_frame_gives_a_figure_that_says_so():
    fig = F.dot_plot_figure(pd.DataFrame(columns=["region", "mean", "ci_low", "ci_high", "n"]),
                        title="Leeg")
    assert "Geen gegevens" in fig.alt
    assert _png_size(fig.png)[0] > 100


def test_figures_render_identical_bytes_for_identical_data():
    frame = pd.DataFrame({"region": ["a", "b"], "mean": [7.5, 8.1], "ci_low": [7.0, 7.6],
                          "ci_high": [8.0, 8.6], "n": [10, 12], "suppressed": False})
    assert F.dot_plot_figure(frame).png == F.dot_plot_figure(frame).png
    np.testing.assert_array_equal(_png_size(F.dot_plot_figure(frame).png),
                                  _png_size(F.dot_plot_figure(frame).png))


def _edge_is_white(png: bytes, width: int = 3) -> bool:
    from PIL import Image

    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("L"))
    edges = [pixels[:width], pixels[-width:], pixels[:, :width], pixels[:, -width:]]
    return all((edge >= 250).all() for edge in edges)


def test_figures_keep_their_size_and_nothing_runs_off_the_edge():
    from mss_eval.report.style import FIGURE_DPI

    long = "Een heel lange omschrijving van een uitspraak die over meerdere regels gaat"
    likert = likert_frame().assign(item=lambda f: f["item"].map(
        {"exp_heard": long, "exp_time": "Kort", "exp_wishes": "x"}))
    frame = pd.DataFrame({"region": [long, "b"], "mean": [7.5, 9.9], "ci_low": [7.0, 9.5],
                          "ci_high": [8.0, 10.0], "n": [10, 12], "suppressed": False})
    rings = pd.DataFrame({"region": ["a"] * 4, "ring": list("1234"), "mean": [1.0, 2.0, 3.0, 9.0],
                          "n": 20, "suppressed": False})
    figures = [
        F.likert_figure(likert, answer_order=AGREE, title="Een titel " * 6,
                      answer_labels={a: f"{a} (helemaal)" for a in AGREE}),
        F.dot_plot_figure(frame, title="Titel", xlabel="gemiddelde"),
        F.network_ring_figure(rings, ring_order=list("1234"),
                            ring_labels={r: f"ring {r} met een lange naam" for r in "1234"}),
        F.share_figure(pd.DataFrame({"domain": ["wonen", "werk"] * 2, "kind": ["a", "a", "b", "b"],
                                   "share": [0.5, 1.0, 0.97, 0.2], "n": 10}),
                     category="domain", hue="kind", title="Steun"),
    ]
    for fig in figures:
        assert _png_size(fig.png)[0] == round(7.0 * FIGURE_DPI)
        assert _edge_is_white(fig.png), fig.alt[:60]


def test_a_chart_with_many_regions_comes_in_page_sized_panels():
    from mss_eval.report.style import FIGURE_DPI

    k = 90
    frame = pd.DataFrame({"region": [f"Regio {i:03d}" for i in range(k)],
                          "mean": np.linspace(5, 9, k), "ci_low": np.linspace(4.5, 8.5, k),
                          "ci_high": np.linspace(5.5, 9.5, k), "n": 40,
                          "suppressed": [i == 7 for i in range(k)]})
    fig = F.dot_plot_figure(frame, title="Rapportcijfer per regio")
    panels = [fig.png, *fig.more_png]
    assert len(panels) == 3
    for png in panels:
        width, height = _png_size(png)
        # 7 inch wide at 16 cm: a panel stays under 23 cm on the page
        assert height / width * 16.0 < 23.0
        assert _edge_is_white(png)
    html = fig.to_html()
    assert html.count("<img ") == 3 and 'class="mss-figure panels"' in html
    assert "Regio 089: 9,0" in fig.alt and "Regio 007: niet getoond" in fig.alt
    again = F.dot_plot_figure(frame, title="Rapportcijfer per regio")
    assert [again.png, *again.more_png] == panels

    rings = pd.DataFrame([{"region": f"Regio {i:03d}", "ring": r, "mean": 1.0 + i % 3, "n": 40,
                           "suppressed": False} for i in range(k) for r in "ab"])
    bars = F.network_ring_figure(rings, ring_order=["a", "b"], title="Netwerk")
    assert len(bars.more_png) == 2
    assert round(_png_size(bars.png)[0]) == round(7.0 * FIGURE_DPI)
    assert "Regio 089 (n = 40): a 3,0, b 3,0" in bars.alt


def _drawing_calls():
    """Every public drawing function of mss_eval.report.figures with a small frame."""
    from mss_eval.analysis.multilevel import funnel_data

    dots = pd.DataFrame({"region": ["a", "b"], "mean": [7.5, 8.1], "ci_low": [7.0, 7.6],
                         "ci_high": [8.0, 8.6], "n": [10, 12], "suppressed": False})
    rings = pd.DataFrame({"region": ["a"] * 4, "ring": list("1234"),
                          "mean": [1.0, 2.0, 3.0, 9.0], "n": 20, "suppressed": False})
    shares = pd.DataFrame({"domain": ["wonen", "werk"] * 2, "kind": ["a", "a", "b", "b"],
                           "share": [0.5, 1.0, 0.97, 0.2], "n": 10})
    graph = nx.Graph()
    graph.add_edge("o1", "o2")
    graph.add_edge("o2", "o3")
    regions = pd.DataFrame({"round": "r1", "region": [f"g{i}" for i in range(4)],
                            "n": [25, 25, 16, 16], "mean": [7.0, 8.0, 9.6, 6.4]})
    return {
        "likert_bars": lambda ax: F.likert_bars(likert_frame(), answer_order=AGREE, ax=ax),
        "dot_plot_ci": lambda ax: F.dot_plot_ci(dots, ax=ax),
        "network_ring_bars": lambda ax: F.network_ring_bars(rings, ring_order=list("1234"),
                                                            ax=ax),
        "share_bars": lambda ax: F.share_bars(shares, category="domain", hue="kind", ax=ax),
        "collaboration_network": lambda ax: F.collaboration_network({"a": graph}, ax=ax),
        "funnel_plot": lambda ax: F.funnel_plot(
            funnel_data(regions, "mean", target=8.0, sd=2.0), ax=ax),
        "nothing_to_show": lambda ax: F.nothing_to_show(ax, title="Leeg"),
    }


def test_every_drawing_function_draws_on_the_given_axes_and_returns_it():
    import inspect

    from matplotlib.figure import Figure

    public = {name for name, f in inspect.getmembers(F, inspect.isfunction)
              if f.__module__ == F.__name__ and not name.startswith("_")
              and "ax" in inspect.signature(f).parameters}
    calls = _drawing_calls()
    assert public == set(calls), "a drawing function without a test call here"
    for name, draw in calls.items():
        ax = Figure().subplots()
        assert draw(ax) is ax, name
        drawn = ax.get_children()
        assert ax.texts or ax.patches or ax.lines or ax.collections or ax.get_title(loc="left") \
            or ax.get_title(), name
        assert len(drawn) > 10, name


def test_drawing_functions_make_their_own_figure_and_leave_saving_to_the_caller():
    ax = F.dot_plot_ci(pd.DataFrame({"region": ["a"], "mean": [7.5], "ci_low": [7.0],
                                     "ci_high": [8.0], "n": [10], "suppressed": False}))
    assert ax.figure.get_size_inches()[0] == 7.0 and ax.get_ylim()[1] > 0
    assert plt.get_fignums() == []  # not registered with pyplot: nothing to close


def test_a_report_figure_keeps_its_matplotlib_figure_and_makes_its_png_once():
    frame = pd.DataFrame({"region": ["a", "b"], "mean": [7.5, 8.1], "ci_low": [7.0, 7.6],
                          "ci_high": [8.0, 8.6], "n": [10, 12], "suppressed": False})
    node = F.dot_plot_figure(frame, title="Rapportcijfer")
    assert node.figure.axes[0].get_title(loc="left") == "Rapportcijfer"
    # restyle before it is shown: the PNG is made from the figure as it is then
    node.figure.axes[0].set_xlim(0, 10)
    png = node.png
    assert png is node.png  # made once
    assert node.to_json()["png"] and node.to_json()["alt"] == node.alt
