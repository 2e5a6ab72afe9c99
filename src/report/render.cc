// Rendering dispatch (report.h).
#include "render.h"
#include "provledger/report.h"

namespace provledger::report {

absl::StatusOr<Rendering> ParseRendering(std::string_view name) {
  static const std::pair<const char*, Rendering> kNames[] = {
      {"html", Rendering::kHtml},
      {"spdx", Rendering::kSpdx},
      {"cyclonedx", Rendering::kCycloneDx},
      {"croissant", Rendering::kCroissant},
      {"ab2013", Rendering::kAb2013},
      {"eu-summary-json", Rendering::kEuSummaryJson},
      {"eu-summary-md", Rendering::kEuSummaryMarkdown},
  };
  for (const auto& [n, r] : kNames) {
    if (name == n) return r;
  }
  return absl::InvalidArgumentError(
      "format must be one of html, spdx, cyclonedx, croissant, ab2013, eu-summary-json, "
      "eu-summary-md; got '" +
      std::string(name) + "'");
}

absl::StatusOr<std::string> Render(std::string_view body, Rendering rendering) {
  nlohmann::json r = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (r.is_discarded() || !r.is_object() || !r.contains("format") || r["format"] != kReportFormat) {
    return absl::InvalidArgumentError(std::string("not a report body (") + kReportFormat + ")");
  }
  try {
    switch (rendering) {
      case Rendering::kHtml:
        return render_internal::Html(r);
      case Rendering::kSpdx:
        return render_internal::Spdx(r).dump(2) + "\n";
      case Rendering::kCycloneDx:
        return render_internal::CycloneDx(r).dump(2) + "\n";
      case Rendering::kCroissant:
        return render_internal::Croissant(r).dump(2) + "\n";
      case Rendering::kAb2013:
        return render_internal::Ab2013(r).dump(2) + "\n";
      case Rendering::kEuSummaryJson:
        return render_internal::EuSummary(r).dump(2) + "\n";
      case Rendering::kEuSummaryMarkdown:
        return render_internal::EuSummaryMarkdown(render_internal::EuSummary(r));
    }
  } catch (const nlohmann::json::exception& e) {
    return absl::InvalidArgumentError(std::string("report body: ") + e.what());
  }
  return absl::InvalidArgumentError("unknown rendering");
}

}  // namespace provledger::report
