#include "passes/memory/svg.h"

#include <fmt/format.h>

#include <algorithm>

#include "support/error.h"

namespace tinyc {


std::string planSvg(const std::vector<LiveBuffer>& b, const MemoryPlan& plan, const std::string& title) {
  int steps = 1;
  for (const auto& x : b) steps = std::max(steps, x.last + 1);
  const double W = 1000, H = 600, left = 70, top = 40, right = 20, bottom = 40;
  const double arena = static_cast<double>(std::max<int64_t>(plan.arenaBytes, 1));
  const double sx = (W - left - right) / steps, sy = (H - top - bottom) / arena;
  const int peak = peakStep(b);
  const int64_t bound = liveLowerBound(b);
  std::string s = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" font-family=\"sans-serif\" font-size=\"10\">\n"
      "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      "<text x=\"{}\" y=\"18\" font-size=\"14\">{}: arena {} bytes ({}), lower bound {} bytes, peak at step {}</text>\n",
      W, H, left, xmlEscape(title), plan.arenaBytes, xmlEscape(plan.planner), bound, peak);
  s += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#444\"/>\n", left, top,
                   W - left - right, H - top - bottom);
  const char* colors[] = {"#8dd3c7", "#ffffb3", "#bebada", "#fb8072", "#80b1d3", "#fdb462", "#b3de69", "#fccde5"};
  for (size_t i = 0; i < b.size(); ++i) {
    if (b[i].bytes == 0) continue;
    double x = left + b[i].first * sx, w = (b[i].last - b[i].first + 1) * sx;
    double y = top + static_cast<double>(plan.offsets[i]) * sy, h = std::max(1.0, static_cast<double>(b[i].bytes) * sy);
    s += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\" stroke=\"#333\" "
                     "stroke-width=\"0.5\"><title>{} : {} bytes @ {} steps {}-{}</title></rect>\n",
                     x, y, w, h, colors[i % 8], xmlEscape(b[i].label), b[i].bytes, plan.offsets[i], b[i].first, b[i].last);
    if (h > 11 && w > 40)
      s += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\">{}</text>\n", x + 2, y + 10, xmlEscape(b[i].label.substr(0, static_cast<size_t>(w / 6))));
  }
  if (peak >= 0)
    s += fmt::format("<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1}\" y2=\"{2}\" stroke=\"red\" stroke-width=\"2\" "
                     "stroke-dasharray=\"4,3\"/>\n<text x=\"{0:.1f}\" y=\"{3}\" fill=\"red\">peak</text>\n",
                     left + (peak + 0.5) * sx, top, H - bottom, H - bottom + 14);
  s += fmt::format("<text x=\"{}\" y=\"{}\">step (schedule order) &#8594;</text>\n", left, H - 8);
  s += fmt::format("<text x=\"8\" y=\"{}\">offset</text>\n<text x=\"8\" y=\"{}\">0</text>\n<text x=\"8\" y=\"{}\">{}</text>\n",
                   top - 4, top + 10, H - bottom, plan.arenaBytes);
  return s + "</svg>\n";
}

}  // namespace tinyc
