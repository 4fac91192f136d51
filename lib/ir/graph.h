// The tinyc IR: a Graph of Nodes connected by Values, in schedule order.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ir/attr.h"
#include "ir/tensor.h"

namespace tinyc {

struct OpDef;
struct Node;

struct Value {
  int id = 0;                 // dense index in Graph::values (stable, used for printing)
  std::string name;           // name from the model (unsanitized; never emit it raw into C)
  DType dtype = DType::Undefined;
  Shape shape;
  std::optional<QuantParams> quant;
  TensorPtr constant;         // set for initializers and constants: the value is known data
  int storageBits = 0;        // 4: a constant read from an ONNX INT4/UINT4 tensor (unpacked to 8 bits)
  Node* producer = nullptr;   // node that computes this value (nullptr for inputs/constants)
  // Compile-time known content found by shape inference (e.g. the output of Shape).
  // The producing node is still in the graph; the folding passes may use this.
  TensorPtr known;
  // Memory plan (filled by the memory planner; -1 = not planned).
  int64_t arenaOffset = -1;

  bool isConstant() const { return constant != nullptr; }
  // Constant or compile-time known content, or nullptr.
  const Tensor* constData() const { return constant ? constant.get() : known.get(); }
};

struct Node {
  std::string name;
  std::string opType;            // ONNX op type, e.g. "Conv"
  const OpDef* op = nullptr;     // registry entry
  std::vector<Value*> inputs;    // nullptr = omitted optional input
  std::vector<Value*> outputs;   // nullptr = omitted optional output
  AttrMap attrs;

  Value* input(size_t i) const { return i < inputs.size() ? inputs[i] : nullptr; }
  bool hasInput(size_t i) const { return input(i) != nullptr; }
  // Attribute access (the importer fills every default from the op's schema).
  const Attr& attr(const std::string& n) const;
  bool hasAttr(const std::string& n) const { return attrs.count(n) != 0; }
  int64_t attrInt(const std::string& n) const;
  float attrFloat(const std::string& n) const;
  const std::string& attrStr(const std::string& n) const;
  const std::vector<int64_t>& attrInts(const std::string& n) const;
  const std::vector<float>& attrFloats(const std::string& n) const;
  // "node 'conv1' (Conv)" for diagnostics.
  std::string where() const;
};

class Graph {
 public:
  std::string name;
  std::vector<std::unique_ptr<Value>> values;
  std::vector<std::unique_ptr<Node>> nodes;  // schedule order
  std::vector<Value*> inputs;
  std::vector<Value*> outputs;
  // Layout of each graph input/output as the caller sees it, when it differs from the model's:
  // "NHWC" = the model's NCHW tensor stored channels-last (--io-layout); empty = as in the model.
  std::vector<std::string> inputLayouts, outputLayouts;
  int opsetVersion = 0;

  Value* addValue(const std::string& name, DType dtype = DType::Undefined, Shape shape = {});
  Value* addConstant(const std::string& name, TensorPtr t);
  Node* addNode(const std::string& opType, const std::string& name, std::vector<Value*> ins,
                std::vector<Value*> outs, AttrMap attrs = {});
  // Nodes that read v, in schedule order.
  std::vector<Node*> users(const Value* v) const;
  bool isGraphOutput(const Value* v) const;
  // Sort nodes topologically (stable with respect to the current order). Model error on a cycle.
  void topoSort();
  // Removes nodes whose outputs nobody uses and values no longer referenced; renumbers ids.
  void compact();
};

}  // namespace tinyc
