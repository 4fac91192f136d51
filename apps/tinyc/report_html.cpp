#include "report_html.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "support/error.h"

namespace tinyc::cli {

namespace {

using json = nlohmann::ordered_json;

// Text from the model (names, paths) as HTML text or attribute.
std::string esc(const std::string& s) { return xmlEscape(s); }

// A long name (tf2onnx joins every fused op's name) cut to its start and end, the whole in a tooltip.
std::string shortName(const std::string& s, size_t most = 48) {
  if (s.size() <= most) return "<span>" + esc(s) + "</span>";
  return fmt::format("<span title=\"{}\">{}&hellip;{}</span>", esc(s), esc(s.substr(0, most - 16)),
                     esc(s.substr(s.size() - 14)));
}

std::string str(const json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

int64_t num(const json& j, const char* key) {
  return j.contains(key) && j[key].is_number() ? j[key].get<int64_t>() : 0;
}

// 1234567 -> "1,234,567"
std::string grouped(int64_t v) {
  std::string d = std::to_string(v < 0 ? -v : v), o;
  for (size_t i = 0; i < d.size(); ++i) {
    if (i && (d.size() - i) % 3 == 0) o += ',';
    o += d[i];
  }
  return (v < 0 ? "-" : "") + o;
}

std::string shapeText(const json& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? "x" : "") + std::to_string(shape[i].get<int64_t>());
  return s + "]";
}

// One horizontal bar per entry, widths relative to the largest.
std::string bars(const std::vector<std::pair<std::string, int64_t>>& rows, const char* color) {
  int64_t most = 1;
  for (const auto& r : rows) most = std::max(most, r.second);
  std::string s = "<table class=\"bars\">";
  for (const auto& [label, v] : rows)
    s += fmt::format("<tr><td>{}</td><td class=\"n\">{} B</td><td class=\"barcell\"><div class=\"bar\" "
                     "style=\"width:{:.1f}%;background:{}\"></div></td></tr>",
                     esc(label), grouped(v), 100.0 * static_cast<double>(v) / static_cast<double>(most), color);
  return s + "</table>";
}

// Parts of one whole as one stacked bar with a legend.
std::string stacked(const std::vector<std::pair<std::string, int64_t>>& parts) {
  static const char* colors[] = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2"};
  int64_t total = 0;
  for (const auto& p : parts) total += std::max<int64_t>(p.second, 0);
  std::string bar = "<div class=\"stack\">", legend = "<div class=\"legend\">";
  for (size_t i = 0; i < parts.size(); ++i) {
    const double pct = total ? 100.0 * static_cast<double>(std::max<int64_t>(parts[i].second, 0)) / total : 0;
    bar += fmt::format("<div style=\"width:{:.2f}%;background:{}\" title=\"{}: {} B\"></div>", pct, colors[i % 5],
                       esc(parts[i].first), grouped(parts[i].second));
    legend += fmt::format("<span><i style=\"background:{}\"></i>{} {} B</span>", colors[i % 5], esc(parts[i].first),
                          grouped(parts[i].second));
  }
  return bar + "</div>" + legend + fmt::format("<span>total {} B</span></div>", grouped(total));
}

const char* kStyle = R"(<style>
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#222;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}.sub{color:#666;margin-bottom:16px}
.cards{display:flex;flex-wrap:wrap;gap:12px}.card{border:1px solid #ddd;border-radius:6px;padding:10px 14px;min-width:150px}
.card b{display:block;font-size:20px}.card span{color:#666;font-size:12px}
table{border-collapse:collapse}td,th{padding:3px 8px;font-size:13px;text-align:left;white-space:nowrap}
.n{text-align:right;font-variant-numeric:tabular-nums}
#layers th{cursor:pointer;background:#f2f2f2;position:sticky;top:0;user-select:none}
#layers th.asc:after{content:" \25B2"}#layers th.desc:after{content:" \25BC"}
#layers tr:nth-child(even) td{background:#fafafa}#layers td{border-bottom:1px solid #eee}
.bars td{padding:2px 8px}.barcell{width:360px}.bar{height:14px;border-radius:2px}
.cost{width:160px}.cost div{height:10px;background:#e15759;border-radius:2px}
.stack{display:flex;width:600px;height:18px;border:1px solid #ccc}.stack div{height:100%}
.legend{font-size:12px;margin-top:4px}.legend span{margin-right:14px}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px}
.plan{overflow-x:auto}.note{color:#666;font-size:12px}
</style>)";

// Sorting by a column (numbers by data-v; FILE.html#sort=K opens sorted by column K), an error
// hook, and a marker once the page is set up (tests/cli/report_html.py checks both in Chromium).
const char* kScript = R"(<script>
window.onerror=function(m){document.body.setAttribute('data-error',String(m));};
(function(){
  var t=document.getElementById('layers');if(!t){document.body.setAttribute('data-ready','ok');return;}
  var ths=t.tHead.rows[0].cells,state={col:-1,asc:true};
  function key(td,n){var v=td.getAttribute('data-v');if(v===null)v=td.textContent;
    if(!n)return v;var f=parseFloat(v);return isNaN(f)?-Infinity:f;}
  function sortBy(i){
    var n=ths[i].hasAttribute('data-num'),rows=Array.prototype.slice.call(t.tBodies[0].rows);
    var asc=state.col===i?!state.asc:!n;state={col:i,asc:asc};
    rows.sort(function(a,b){var x=key(a.cells[i],n),y=key(b.cells[i],n);var c=x<y?-1:x>y?1:0;return asc?c:-c;});
    for(var r=0;r<rows.length;r++)t.tBodies[0].appendChild(rows[r]);
    for(var k=0;k<ths.length;k++)ths[k].className=k===i?(asc?'asc':'desc'):'';
  }
  for(var i=0;i<ths.length;i++)(function(i){ths[i].addEventListener('click',function(){sortBy(i);});})(i);
  var m=/^#sort=(\d+)$/.exec(location.hash);if(m&&+m[1]<ths.length)sortBy(+m[1]);
  document.body.setAttribute('data-ready','ok');
})();
</script>)";

}  // namespace

std::string reportHtml(const json& r, const std::string& planSvg, const json& measured, const std::string& version) {
  const bool emulated = measured.is_object() && measured.contains("flash");
  std::map<std::string, int64_t> instructions;
  if (emulated && measured.contains("layers"))
    for (const auto& l : measured["layers"]) instructions[str(l, "node")] = num(l, "instructions");
  std::map<std::string, std::string> sqnr, pruned;
  if (r.contains("quantization") && r["quantization"].is_object() && r["quantization"].contains("layers"))
    for (const auto& l : r["quantization"]["layers"])
      if (l.contains("sqnr_db") && l["sqnr_db"].is_number())
        sqnr[str(l, "node")] = fmt::format("{:.1f}", l["sqnr_db"].get<double>());
  if (r.contains("prune") && r["prune"].is_object())
    for (const auto& l : r["prune"]["layers"]) {
      if (l.contains("kept"))
        pruned[str(l, "node")] = fmt::format("{} of {} ch", num(l, "kept"), num(l, "channels"));
      else if (l.contains("nonzeros") && num(l, "weights") > 0)
        pruned[str(l, "node")] = fmt::format("{:.0f}% zeros", 100.0 * (1.0 - static_cast<double>(num(l, "nonzeros")) /
                                                                                   static_cast<double>(num(l, "weights"))));
    }

  const std::string name = str(r, "name");
  std::string h = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n";
  h += fmt::format("<title>tinyc report: {}</title>\n{}\n</head><body>\n", esc(name), kStyle);
  h += fmt::format("<h1>{} <span class=\"note\">for {}</span></h1>\n", esc(name), esc(str(r, "target")));
  h += fmt::format("<div class=\"sub\">model {} &middot; {} &middot; planner {}</div>\n", esc(str(r, "model")), esc(version),
                   esc(str(r, "planner")));

  // Summary cards.
  auto card = [](const std::string& big, const std::string& what) {
    return fmt::format("<div class=\"card\"><b>{}</b><span>{}</span></div>", big, what);
  };
  h += "<div class=\"cards\">";
  h += card(grouped(num(r, "arena_bytes")) + " B", "arena (RAM for tensors and scratch)");
  h += card(grouped(num(r, "weights_bytes")) + " B", fmt::format("weights ({}_weights.c, flash)", esc(name)));
  h += card(grouped(num(r, "macs")), "MACs per inference");
  h += card(grouped(num(r, "params")), "parameters");
  h += card(grouped(num(r, "io_bytes")) + " B", "input and output buffers");
  h += card(std::to_string(r.contains("nodes") ? r["nodes"].size() : 0), "nodes");
  if (emulated)
    h += card(grouped(static_cast<int64_t>(std::llround(measured["instructions"]["median"].get<double>()))),
              "instructions per inference (emulated)");
  h += "</div>\n";

  h += "<h2>Arena</h2>\n";
  h += bars({{"arena (planned)", num(r, "arena_bytes")},
             {"liveness lower bound", num(r, "lower_bound_bytes")},
             {"greedy by size (TFLite Micro's planner)", num(r, "greedy_by_size_bytes")}},
            "#4e79a7");
  if (r.contains("peak") && r["peak"].is_object())
    h += fmt::format("<div class=\"note\">peak at step {}, node {} (kernel scratch {} B)</div>\n", num(r["peak"], "step"),
                     shortName(str(r["peak"], "node"), 80), grouped(num(r["peak"], "scratch_bytes")));
  if (r.contains("patch") && r["patch"].is_object())
    h += fmt::format("<div class=\"note\">patch-based execution: {} stage(s), {} nodes in {} strips, {} extra MACs; "
                     "without: arena {} B</div>\n",
                     num(r["patch"], "stages"), num(r["patch"], "stage_nodes"), num(r["patch"], "strips"),
                     grouped(num(r["patch"], "extra_macs")), grouped(num(r["patch"], "arena_bytes_without")));

  h += "<h2>Flash and RAM</h2>\n";
  if (emulated) {
    const json& f = measured["flash"];
    h += "<div>flash</div>" + stacked({{"kernels", num(f, "kernels")}, {"model code", num(f, "model_code")},
                                       {"weights and constants", num(f, "weights_and_constants")}});
    const json& m = measured["ram"];
    h += "<div style=\"margin-top:10px\">RAM</div>" +
         stacked({{"arena", num(m, "arena")}, {"stack", num(m, "stack")}, {"data", num(m, "data")},
                  {"inputs and outputs", num(m, "io_buffers")}});
    h += fmt::format("<div class=\"note\">measured on {}</div>\n", esc(str(measured, "emulated")));
  } else {
    h += stacked({{"weights and constants", num(r, "weights_bytes")}, {"arena", num(r, "arena_bytes")},
                  {"inputs and outputs", num(r, "io_bytes")}});
    h += "<div class=\"note\">code size, stack and per-layer instructions: <code>tinyc bench --target T --emulate "
         "--per-layer --report-html FILE</code></div>\n";
  }
  if (r.contains("quantization") && r["quantization"].is_object())
    h += fmt::format("<div class=\"note\">quantized: {} ({} activations, {} weights); float islands: {}</div>\n",
                     esc(str(r["quantization"], "scheme")), esc(str(r["quantization"], "activations")),
                     esc(str(r["quantization"], "weights")), r.contains("float_islands") ? r["float_islands"].size() : 0);

  // Per-layer table.
  const bool hasSqnr = !sqnr.empty(), hasPrune = !pruned.empty(), hasInstr = !instructions.empty();
  int64_t mostCost = 1;
  if (r.contains("nodes"))
    for (const auto& n : r["nodes"])
      mostCost = std::max(mostCost, hasInstr ? instructions[str(n, "name")] : num(n, "macs"));
  h += fmt::format("<h2>Layers</h2>\n<div class=\"note\">click a column to sort; bars: {} per layer</div>\n",
                   hasInstr ? "emulated instructions" : "MACs");
  h += "<table id=\"layers\"><thead><tr><th data-num>#</th><th>node</th><th>op</th><th>output</th>"
       "<th data-num>params</th><th data-num>weight B</th><th data-num>MACs</th><th data-num>arena offset</th>"
       "<th data-num>output B</th><th data-num>scratch B</th>";
  if (hasInstr) h += "<th data-num>instructions</th><th data-num>MAC/instr</th>";
  if (hasSqnr) h += "<th data-num>SQNR dB</th>";
  if (hasPrune) h += "<th>pruned</th>";
  h += "<th data-num>cost</th></tr></thead><tbody>\n";
  int step = 0;
  if (r.contains("nodes"))
    for (const auto& n : r["nodes"]) {
      const std::string node = str(n, "name");
      const json out = n.contains("outputs") && !n["outputs"].empty() ? n["outputs"][0] : json::object();
      const bool inArena = out.contains("arena_offset");
      auto cell = [](int64_t v, bool show = true) {
        return show ? fmt::format("<td class=\"n\" data-v=\"{}\">{}</td>", v, grouped(v)) : std::string("<td></td>");
      };
      h += fmt::format("<tr><td class=\"n\" data-v=\"{0}\">{0}</td><td data-v=\"{5}\">{1}</td><td>{2}</td><td>{3} {4}</td>",
                       step, shortName(node), esc(str(n, "op")), out.contains("shape") ? shapeText(out["shape"]) : "",
                       esc(str(out, "dtype")), esc(node));
      h += cell(num(n, "params")) + cell(num(n, "weight_bytes")) + cell(num(n, "macs")) +
           cell(num(out, "arena_offset"), inArena) + cell(num(out, "bytes")) +
           cell(num(n, "scratch_bytes"), n.contains("scratch_bytes"));
      const int64_t ins = hasInstr && instructions.count(node) ? instructions[node] : -1;
      if (hasInstr) {
        h += cell(ins, ins >= 0);
        h += ins > 0 && num(n, "macs") > 0 ? fmt::format("<td class=\"n\" data-v=\"{0:.4f}\">{0:.3f}</td>",
                                   static_cast<double>(num(n, "macs")) / static_cast<double>(ins))
                     : std::string("<td></td>");
      }
      // A layer run in strips (--patch) is the node NAME_patchK of layer NAME: its SQNR and pruning.
      std::string layer = node;
      if (const size_t p = node.rfind("_patch"); p != std::string::npos && p + 6 < node.size() &&
          node.find_first_not_of("0123456789", p + 6) == std::string::npos)
        layer = node.substr(0, p);
      if (hasSqnr)
        h += sqnr.count(layer) ? fmt::format("<td class=\"n\" data-v=\"{0}\">{0}</td>", sqnr[layer]) : "<td></td>";
      if (hasPrune) h += "<td>" + (pruned.count(layer) ? pruned[layer] : std::string()) + "</td>";
      const int64_t cost = hasInstr ? std::max<int64_t>(ins, 0) : num(n, "macs");
      h += fmt::format("<td class=\"cost\" data-v=\"{}\"><div style=\"width:{:.1f}%\"></div></td></tr>\n", cost,
                       100.0 * static_cast<double>(cost) / static_cast<double>(mostCost));
      ++step;
    }
  h += "</tbody></table>\n";

  h += "<h2>Memory plan</h2>\n<div class=\"note\">x: schedule step, y: arena offset; one box per buffer "
       "(hover for its name, size and steps)</div>\n<div class=\"plan\">" + planSvg + "</div>\n";
  h += fmt::format("<p class=\"note\">generated by {}; the same figures as <code>--report</code> (JSON).</p>\n",
                   esc(version));
  h += kScript;
  h += "\n</body></html>\n";
  return h;
}

}  // namespace tinyc::cli
