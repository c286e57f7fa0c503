#include "loader/install.hpp"

#include <openssl/evp.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <vector>

#include "loader/probe.hpp"
#include "loader/registry.hpp"

namespace stockrelay::loader {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kInstalledSchema = "stockrelay.installed/1";

Result<std::string> sha256_of(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Error{file.string(), "cannot read the file to hash it", ""};
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1)
    return Error{file.string(), "SHA-256 is unavailable", "check the OpenSSL installation"};
  std::vector<char> buf(1 << 16);
  while (in.read(buf.data(), static_cast<std::streamsize>(buf.size())) || in.gcount() > 0)
    EVP_DigestUpdate(ctx.get(), buf.data(), static_cast<std::size_t>(in.gcount()));
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx.get(), digest, &len);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) out += {hex[digest[i] >> 4], hex[digest[i] & 0xf]};
  return out;
}

Result<json> read_index(const fs::path& index) {
  std::error_code ec;
  if (!fs::exists(index, ec)) return json{{"schema", kInstalledSchema}, {"plugins", json::object()}};
  std::ifstream in(index);
  json j = json::parse(in, nullptr, false);
  if (!j.is_object() || !j.contains("plugins") || !j["plugins"].is_object())
    return Error{index.string(), std::string("not a valid ") + kInstalledSchema + " document",
                 "fix or remove it; it only records what was installed"};
  return j;
}

// Write-then-rename: a crash leaves the old index or the new one, never half.
Status write_index(const fs::path& index, const json& j) {
  fs::path tmp = index;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << j.dump(2) << '\n';
    if (!out.flush()) return Error{tmp.string(), "cannot write the install record", "check free space and permissions"};
  }
  std::error_code ec;
  fs::rename(tmp, index, ec);
  if (ec) return Error{index.string(), "cannot write the install record: " + ec.message(), ""};
  return Ok{};
}

// Removes the staging copy on every way out; after the final rename there is
// nothing left to remove.
struct StagingFile {
  fs::path path;
  ~StagingFile() {
    std::error_code ec;
    fs::remove(path, ec);
  }
};

}  // namespace

Result<InstallRecord> install(const std::string& file, const std::string& plugin_dir, const std::string& self_exe) {
  const std::string name = fs::path(file).filename().string();
  if (!is_plugin_file_name(name))
    return Error{file, "a connector library must be named lib<name>.so", "rename it; stockrelay looks only for lib*.so files"};
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) return Error{file, "no such file", ""};
  fs::create_directories(plugin_dir, ec);
  if (ec) return Error{plugin_dir, "cannot create the plugin folder: " + ec.message(), ""};
  const fs::path dir = fs::absolute(plugin_dir);
  const fs::path target = dir / name;

  // Stage the copy beside its final place and probe the copy itself.
  StagingFile staging{dir / ("." + name + ".installing")};
  fs::copy_file(file, staging.path, fs::copy_options::overwrite_existing, ec);
  if (ec) return Error{file, "cannot copy it into " + dir.string() + ": " + ec.message(), ""};
  auto probed = probe_in_child(staging.path.string(), self_exe);
  if (!probed) return Error{file, probed.error().what, probed.error().hint};

  InstallRecord rec;
  rec.describe = probed->value("describe", json::object());
  rec.id = rec.describe.value("id", std::string());
  rec.version = rec.describe.value("version", std::string());
  rec.abi = probed->value("abi", std::string());
  rec.file = target.string();

  const fs::path index_path = dir / "installed.json";
  auto index = read_index(index_path);
  if (!index) return index.error();
  for (const auto& [other, entry] : (*index)["plugins"].items())
    if (other != name && entry.is_object() && entry.value("id", std::string()) == rec.id)
      return Error{file, "connector '" + rec.id + "' is already installed as " + (dir / other).string(),
                   "remove that file and its entry in installed.json first, or install under the same file name to upgrade"};

  auto sha = sha256_of(staging.path);
  if (!sha) return sha.error();
  rec.sha256 = *sha;

  // rename, not an overwrite in place: a running stockrelay that has the old
  // file mapped keeps its pages; writing into that inode would corrupt it.
  fs::rename(staging.path, target, ec);
  if (ec) return Error{target.string(), "cannot install: " + ec.message(), ""};
  (*index)["plugins"][name] = {
      {"id", rec.id}, {"version", rec.version}, {"sha256", rec.sha256}, {"abi", rec.abi}, {"describe", rec.describe}};
  if (auto written = write_index(index_path, *index); !written) return written.error();
  return rec;
}

}  // namespace stockrelay::loader
