// tinyc ops: lists the op registry (plain or as the Markdown table in docs/ops.md).
#include <fmt/format.h>

#include <iostream>

#include "common.h"
#include "ops/op.h"

namespace tinyc::cli {

namespace {

std::string attrDefault(const AttrSpec& a) {
  if (a.required) return "required";
  if (!a.def) return "optional";
  const Attr& d = *a.def;
  switch (d.kind) {
    case Attr::Kind::Int: return std::to_string(d.i);
    case Attr::Kind::Float: return fmt::format("{}", d.f);
    case Attr::Kind::String: return "\"" + d.s + "\"";
    default: return attrKindName(d.kind);
  }
}

void listOps(bool markdown) {
  std::vector<const OpDef*> ops;  // the ONNX ops a model may use (not tinyc-internal ones)
  for (const OpDef* op : OpRegistry::instance().all())
    if (op->name.rfind("tinyc.", 0) != 0) ops.push_back(op);
  if (!markdown) {
    for (const OpDef* op : ops) std::cout << fmt::format("{:<24} {}\n", op->name, op->doc);
    return;
  }
  std::cout << "# Supported ops\n\n"
               "Generated from the op registry by `scripts/gen_docs.sh` (`tinyc ops --markdown`); a test keeps it "
               "in sync.\nInputs are given as min..max; attributes with their defaults (the importer fills "
               "defaults and converts\nolder opsets' attributes into inputs, see docs/ir.md).\n\n"
               "| op | inputs | outputs | attributes | description |\n|---|---|---|---|---|\n";
  for (const OpDef* op : ops) {
    std::string attrs;
    for (const auto& a : op->attrs) attrs += (attrs.empty() ? "" : ", ") + a.name + "=" + attrDefault(a);
    std::cout << fmt::format("| {} | {}..{} | {}..{} | {} | {} |\n", op->name, op->minInputs, op->maxInputs,
                             op->minOutputs, op->maxOutputs, attrs, op->doc);
  }
  std::cout << fmt::format("\n{} ops.\n", ops.size());
  std::cout << "\nControl flow is unrolled by the importer (lib/onnx/control_flow.cpp), not run: **If** when its "
               "condition is known at\ncompile time (the other branch is not compiled), **Loop** when its trip count "
               "and initial condition are\n(and its body passes the condition through unchanged), **Scan** (opsets 8-"
               "28; its sequence lengths come from\nthe inputs' shapes). A data-dependent one is a one-line error.\n";
}

}  // namespace

void registerOps(CLI::App& app) {
  auto markdown = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand("ops", "list the supported ONNX ops");
  cmd->add_flag("--markdown", *markdown, "print the Markdown table of docs/ops.md");
  cmd->callback([markdown] { listOps(*markdown); });
}

}  // namespace tinyc::cli
