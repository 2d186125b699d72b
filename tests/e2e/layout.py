"""Layout checks on real element boxes in Chromium: inside the viewport, nothing cut off, siblings apart,
and text readable against its background in the current colour mode. Screenshots go to test-results/."""

from __future__ import annotations

import re
from pathlib import Path

from tests.support.procs import ROOT

SHOTS = ROOT / "test-results" / "layout"
VIEWPORTS = {"desktop": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}
MODES = ("light", "dark")

# Returns a list of human-readable problems for the element `root`:
# - its box leaves the viewport horizontally;
# - a descendant sticks out of the box of the scroll or clip container it sits in (cut off), or out of the
#   nearest box drawn around it (a background or a border);
# - a text element overflows its own box without an ellipsis (text cut off);
# - two visible siblings in the same row overlap;
# - a text's colour has too little contrast with the background behind it.
_PROBLEMS_JS = r"""
(root) => {
  const problems = [];
  const vw = document.documentElement.clientWidth;
  const r = root.getBoundingClientRect();
  const name = (el) => (el.className && el.className.baseVal === undefined ? String(el.className) : el.tagName)
    .split(' ').filter(c => c && !c.startsWith('rt-r-') && !c.startsWith('css-')).slice(0, 3).join('.') || el.tagName;
  const visible = (el) => {
    const b = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    return b.width > 0 && b.height > 0 && s.visibility !== 'hidden' && s.display !== 'none';
  };
  if (r.left < -1 || r.right > vw + 1) problems.push(`card leaves the viewport: ${Math.round(r.left)}..${Math.round(r.right)} of ${vw}`);
  const clips = (el) => {
    for (let p = el.parentElement; p && p !== root.parentElement; p = p.parentElement) {
      const s = getComputedStyle(p);
      if (['hidden', 'auto', 'scroll', 'clip'].includes(s.overflowX)) return p;
    }
    return root;
  };
  const drawn = (el) => {
    for (let p = el.parentElement; p && p !== root; p = p.parentElement) {
      const s = getComputedStyle(p);
      const bg = (s.backgroundColor.match(/[\d.]+/g) || []).map(Number);
      const hasBg = bg.length >= 3 && (bg.length < 4 || bg[3] > 0);
      if (hasBg || parseFloat(s.borderLeftWidth) > 0 || parseFloat(s.borderRightWidth) > 0) return p;
    }
    return root;
  };
  const inIcon = (el) => el.tagName.toLowerCase() !== 'svg' && el.closest('svg');
  const all = [root, ...root.querySelectorAll('*')].filter(el => !inIcon(el)).filter(visible);
  for (const el of all) {
    if (el === root) continue;
    const b = el.getBoundingClientRect();
    const c = clips(el).getBoundingClientRect();
    if (b.left < c.left - 1 || b.right > c.right + 1) problems.push(`${name(el)} sticks out of its container (${Math.round(b.left)}..${Math.round(b.right)} vs ${Math.round(c.left)}..${Math.round(c.right)})`);
    const d = drawn(el).getBoundingClientRect();
    if (b.left < d.left - 1 || b.right > d.right + 1) problems.push(`${name(el)} sticks out of the box around it (${Math.round(b.left)}..${Math.round(b.right)} vs ${Math.round(d.left)}..${Math.round(d.right)})`);
    const s = getComputedStyle(el);
    const ownText = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (ownText && el.scrollWidth > el.clientWidth + 1 && s.textOverflow !== 'ellipsis' && s.overflowX !== 'auto' && el.clientWidth > 0)
      problems.push(`text of ${name(el)} is cut off: "${el.textContent.trim().slice(0, 40)}"`);
  }
  for (const el of all) {
    if (el.tagName.toLowerCase() === 'svg') continue;
    const kids = [...el.children].filter(visible).filter(k => getComputedStyle(k).position !== 'absolute');
    for (let i = 0; i < kids.length; i++) for (let j = i + 1; j < kids.length; j++) {
      const a = kids[i].getBoundingClientRect(), b = kids[j].getBoundingClientRect();
      const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (w > 1 && h > 1) problems.push(`${name(kids[i])} overlaps ${name(kids[j])}`);
    }
  }
  const rgb = (c) => (c.match(/[\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (el) => {
    for (let p = el; p; p = p.parentElement) {
      const c = rgb(getComputedStyle(p).backgroundColor);
      if (c.length >= 3 && (c.length < 4 || c[3] > 0.5)) return c;
    }
    return [255, 255, 255];
  };
  for (const el of all) {
    const ownText = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!ownText) continue;
    const fg = rgb(getComputedStyle(el).color), bg = background(el);
    const [hi, lo] = [lum(fg), lum(bg)].sort((x, y) => y - x);
    const ratio = (hi + 0.05) / (lo + 0.05);
    if (ratio < 3) problems.push(`text of ${name(el)} has contrast ${ratio.toFixed(2)}: "${el.textContent.trim().slice(0, 30)}"`);
  }
  return problems;
}
"""


def layout_problems(locator) -> list[str]:
    return locator.evaluate(_PROBLEMS_JS)


def set_mode(page, mode: str) -> None:
    """Switch the app's colour mode (the theme follows the system setting) and wait until it applies."""
    page.emulate_media(color_scheme=mode)
    page.wait_for_function("(m) => document.documentElement.classList.contains(m) || "
                           "(m === 'light' && !document.documentElement.classList.contains('dark'))", arg=mode)


def shot(locator, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / (re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-") + ".png")
    locator.screenshot(path=str(path))
    return path


def check_everywhere(page, targets: dict[str, object], prefix: str) -> dict[str, list[str]]:
    """Every target (name → locator) at each viewport and colour mode: its layout problems, with a screenshot."""
    found: dict[str, list[str]] = {}
    for vp_name, size in VIEWPORTS.items():
        page.set_viewport_size(size)
        for mode in MODES:
            set_mode(page, mode)
            for name, locator in targets.items():
                locator.scroll_into_view_if_needed()
                where = f"{prefix}-{name}-{vp_name}-{mode}"
                shot(locator, where)
                problems = layout_problems(locator)
                if problems:
                    found[where] = problems
    page.set_viewport_size(VIEWPORTS["desktop"])
    set_mode(page, "light")
    return found


def row_labels(card) -> list[str]:
    """The labels of a card's "Label  value" rows, in order; fails on a row whose value is empty."""
    rows = card.locator(".card-row")
    labels = []
    for i in range(rows.count()):
        row = rows.nth(i)
        label = row.locator(".card-label").inner_text().strip()
        value = row.locator(".card-value").inner_text().strip()
        assert value, f"the {label!r} row of a card is empty"
        labels.append(label)
    return labels
