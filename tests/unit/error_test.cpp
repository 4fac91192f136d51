// Exit codes and messages of the exceptions that end the program (describeFailure, used by
// main): 1 bad model or data, 2 bad usage, 3 internal error (a tinyc bug).
#include <gtest/gtest.h>

#include <filesystem>
#include <vector>

#include "ir/verifier.h"
#include "ops/op.h"
#include "passes/pass.h"
#include "support/error.h"

namespace tinyc {
namespace {

template <typename F>
Failure failureOf(F f) {
  try {
    f();
  } catch (...) {
    return describeFailure(std::current_exception());
  }
  ADD_FAILURE() << "no exception";
  return {0, ""};
}

const char* const kInternal = "tinyc: internal error: ";

TEST(Error, ModelAndUsageErrorsKeepTheirCodes) {
  Failure m = failureOf([] { modelError("node 'a' (Add): bad {}", "shape"); });
  EXPECT_EQ(m.exitCode, 1);
  EXPECT_EQ(m.message, "tinyc: error: node 'a' (Add): bad shape");
  Failure u = failureOf([] { usageError("unknown flag"); });
  EXPECT_EQ(u.exitCode, 2);
  EXPECT_EQ(u.message, "tinyc: error: unknown flag");
}

TEST(Error, InternalErrorsExit3AndAskForAReport) {
  Failure i = failureOf([] { internalError("'n' (Slice): slice shape mismatch"); });
  EXPECT_EQ(i.exitCode, 3);
  EXPECT_EQ(i.message.rfind(kInternal, 0), 0u) << i.message;
  EXPECT_NE(i.message.find("'n' (Slice): slice shape mismatch (please report this at "), std::string::npos) << i.message;
  // An exception tinyc does not throw on purpose is a bug too: here the standard library's
  // std::out_of_range from vector::at.
  Failure s = failureOf([] {
    std::vector<int> v(2);
    return v.at(5);
  });
  EXPECT_EQ(s.exitCode, 3);
  EXPECT_EQ(s.message.rfind(kInternal, 0), 0u) << s.message;
  EXPECT_EQ(failureOf([] { throw 42; }).exitCode, 3);
}

TEST(Error, ResourceAndFileSystemFailuresAreNotInternal) {
  EXPECT_EQ(failureOf([] { throw std::bad_alloc(); }).message, "tinyc: error: out of memory");
  Failure f = failureOf([] { return std::filesystem::file_size("/nonexistent/tinyc/x.onnx"); });
  EXPECT_EQ(f.exitCode, 1);
  EXPECT_EQ(f.message.rfind("tinyc: error: ", 0), 0u) << f.message;
}

// --verify-each: the IR verifier failing after a pass is the pass's bug, not the model's.
TEST(Error, VerifierFailureAfterAPassIsInternal) {
  Graph g;
  Value* x = g.addValue("x", DType::F32, {4});
  Value* y = g.addValue("y");
  g.inputs.push_back(x);
  bindOp(*g.addNode("Relu", "r", {x}, {y}, {}));
  g.outputs.push_back(y);
  inferShapes(g);
  verifyGraph(g);
  y->dtype = DType::Undefined;  // what a broken pass could leave behind
  PassManagerOptions o;
  o.verifyEach = true;
  PassManager pm(o);
  pm.add("remove-identity");
  Failure f = failureOf([&] { pm.run(g); });
  EXPECT_EQ(f.exitCode, 3);
  EXPECT_NE(f.message.find("the IR verifier failed after pass 'remove-identity'"), std::string::npos) << f.message;
}

}  // namespace
}  // namespace tinyc
