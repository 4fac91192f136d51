// NumPy .npz archives (np.savez, np.savez_compressed): a zip of .npy files, stored or deflated.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "ir/tensor.h"

namespace tinyc {
// The arrays in archive order, each with its name (the member's name without ".npy").
// Model error naming the path for anything that is not such an archive.
std::vector<std::pair<std::string, Tensor>> readNpz(const std::string& path);
}  // namespace tinyc
