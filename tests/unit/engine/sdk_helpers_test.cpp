// The SDK's header-only helpers for connector authors: settings reading with
// errors that name the setting, and the encodings of stockrelay/text.hpp.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <stockrelay/settings.hpp>
#include <stockrelay/text.hpp>

using nlohmann::json;

TEST_CASE("base64 and percent-encoding match their RFC test vectors") {
  // RFC 4648 section 10.
  CHECK(sr::base64("") == "");
  CHECK(sr::base64("f") == "Zg==");
  CHECK(sr::base64("fo") == "Zm8=");
  CHECK(sr::base64("foo") == "Zm9v");
  CHECK(sr::base64("foob") == "Zm9vYg==");
  CHECK(sr::base64("fooba") == "Zm9vYmE=");
  CHECK(sr::base64("foobar") == "Zm9vYmFy");
  CHECK(sr::base64(std::string("\xff\x00\x80", 3)) == "/wCA");
  CHECK(sr::percent_encode("A-1_b.c~") == "A-1_b.c~");
  CHECK(sr::percent_encode("A,B C/+") == "A%2CB%20C%2F%2B");
  CHECK(sr::percent_encode("B\xE2\x80\x93" "2") == "B%E2%80%932");
}

TEST_CASE("Basic credentials are compared exactly") {
  std::string header = "Basic " + sr::base64("events:s3cret");
  CHECK(sr::basic_auth_matches(header, "events", "s3cret"));
  CHECK_FALSE(sr::basic_auth_matches(header, "events", "s3cret2"));
  CHECK_FALSE(sr::basic_auth_matches(header, "Events", "s3cret"));
  CHECK_FALSE(sr::basic_auth_matches("", "events", "s3cret"));
  CHECK_FALSE(sr::basic_auth_matches("Bearer " + sr::base64("events:s3cret"), "events", "s3cret"));
  CHECK(sr::constant_time_equal("abc", "abc"));
  CHECK_FALSE(sr::constant_time_equal("abc", "abd"));
  CHECK_FALSE(sr::constant_time_equal("", ""));
}

TEST_CASE("the settings reader names the setting that is wrong") {
  auto error = [](const json& s, const std::function<void(const sr::SettingsReader&)>& read) -> std::string {
    try {
      sr::SettingsReader r(s, {"url", "size", "on", "rate", "name"});
      read(r);
    } catch (const sr::invalid_error& e) {
      return e.what();
    }
    return "(no error)";
  };
  auto nothing = [](const sr::SettingsReader&) {};
  CHECK(error(json::array(), nothing) == "settings must be an object");
  CHECK(error({{"colour", 1}}, nothing) == "settings: unknown setting 'colour'");
  CHECK(error(json::object(), [](auto& r) { r.string("name", true); }) == "settings: 'name' is required");
  CHECK(error({{"name", ""}}, [](auto& r) { r.string("name", true); }) == "settings: 'name' must not be empty");
  CHECK(error({{"name", 3}}, [](auto& r) { r.string("name", false); }) == "settings: 'name' must be a string");
  CHECK(error({{"size", 0}}, [](auto& r) { r.integer("size", 1, 10, 5); }) ==
        "settings: 'size' must be an integer from 1 to 10");
  CHECK(error({{"size", 2.5}}, [](auto& r) { r.integer("size", 1, 10, 5); }) ==
        "settings: 'size' must be an integer from 1 to 10");
  CHECK(error({{"on", "yes"}}, [](auto& r) { r.boolean("on", false); }) == "settings: 'on' must be true or false");
  CHECK(error({{"rate", -1}}, [](auto& r) { r.number("rate", 0, 0); }) == "settings: 'rate' must be a number >= 0");
  CHECK(error({{"url", "ftp://x"}}, [](auto& r) { r.url("url", true); }) ==
        "settings: 'url' must be an http:// or https:// URL, not 'ftp://x'");

  json s{{"url", "https://shop.example//"}, {"size", 7}, {"on", true}, {"rate", 2.5}};
  sr::SettingsReader r(s, {"url", "size", "on", "rate", "name"});
  CHECK(r.url("url", true) == "https://shop.example");
  CHECK(r.integer("size", 1, 10, 5) == 7);
  CHECK(r.boolean("on", false));
  CHECK(r.number("rate", 0, 0) == 2.5);
  CHECK(r.string("name", false, "dflt") == "dflt");
  CHECK(r.integer("missing", 1, 10, 5) == 5);
}
