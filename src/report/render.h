// Internal to reports: one function per rendering of a report body (parsed).
// Each may throw nlohmann::json::exception for a body missing a field;
// Render (report.h) turns that into InvalidArgument.
#ifndef PROVLEDGER_SRC_REPORT_RENDER_H_
#define PROVLEDGER_SRC_REPORT_RENDER_H_

#include <nlohmann/json.hpp>
#include <string>

namespace provledger::report::render_internal {

std::string Html(const nlohmann::json& report);          // render_html.cc
nlohmann::json Spdx(const nlohmann::json& report);       // export_spdx.cc
nlohmann::json CycloneDx(const nlohmann::json& report);  // export_cyclonedx.cc
nlohmann::json Croissant(const nlohmann::json& report);  // export_croissant.cc
nlohmann::json Ab2013(const nlohmann::json& report);     // export_disclosures.cc
nlohmann::json EuSummary(const nlohmann::json& report);  // export_disclosures.cc
std::string EuSummaryMarkdown(const nlohmann::json& summary);

}  // namespace provledger::report::render_internal

#endif  // PROVLEDGER_SRC_REPORT_RENDER_H_
