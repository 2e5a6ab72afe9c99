// provledger: the command-line client. Flags and dispatch only.
#include <CLI/CLI.hpp>
#include <cstdlib>
#include <string>

#include "commands.h"

int main(int argc, char** argv) {
  namespace cli = provledger::cli;
  CLI::App app{"provledger: register training data and verify the provenance ledger"};
  app.require_subcommand(1);
  const char* env_server = std::getenv("PROVLEDGER_SERVER");
  std::string server = env_server ? env_server : "127.0.0.1:7600";
  app.add_option("--server", server, "provledgerd address (env PROVLEDGER_SERVER)")
      ->capture_default_str();

  // dataset create
  auto* dataset = app.add_subcommand("dataset", "Manage datasets");
  dataset->require_subcommand(1);
  auto* ds_create = dataset->add_subcommand("create", "Create a dataset version; prints its id");
  cli::DatasetArgs dargs;
  ds_create->add_option("--name", dargs.name, "Dataset name")->required();
  ds_create->add_option("--version", dargs.version, "Dataset version");
  ds_create->add_option("--description", dargs.description, "Description");
  ds_create->add_option("--owner", dargs.owner, "Team or person answerable for the dataset");
  ds_create->add_option("--intended-use", dargs.intended_use,
                        "A use the server's policy defines (default: commercial)");
  ds_create->add_option("--source", dargs.source_file,
                        "Default source record of every document (JSON, docs/policy.md)");

  auto* ds_seal = dataset->add_subcommand(
      "seal", "Close a dataset version and record its manifest (counts and Merkle root)");
  std::string seal_id;
  ds_seal->add_option("--dataset-id", seal_id, "Dataset to seal")->required();
  auto* ds_derive =
      dataset->add_subcommand("derive", "Declare a dataset version derived from sealed versions");
  cli::DeriveArgs deriv;
  ds_derive->add_option("--dataset-id", deriv.dataset_id, "The derived dataset")->required();
  ds_derive->add_option("--parent", deriv.parents, "A sealed parent (repeat for several)")
      ->required();
  ds_derive
      ->add_option("--transformation", deriv.transformation,
                   "filter, deduplicate, mix, sample, annotate or other")
      ->required();
  ds_derive->add_option("--description", deriv.description, "What was done");

  // model register
  auto* model = app.add_subcommand("model", "Models and their training runs");
  model->require_subcommand(1);
  auto* model_reg = model->add_subcommand(
      "register", "Record a training run of a model version over sealed dataset versions");
  cli::TrainingRunArgs run;
  model_reg->add_option("--name", run.name, "Model name")->required();
  model_reg->add_option("--version", run.version, "Model version");
  model_reg->add_option("--dataset", run.datasets, "A sealed dataset used (repeat)")->required();
  model_reg->add_option("--start", run.start, "Training start (RFC 3339)");
  model_reg->add_option("--end", run.end, "Training end (RFC 3339)");
  model_reg->add_flag("--commercial", run.commercial, "Deployed commercially");
  model_reg->add_flag("--public-cn", run.public_cn, "Offered to the public in China");
  model_reg->add_flag("--public-eu", run.public_eu, "Offered to the public in the EU");
  model_reg->add_option("--description", run.description, "Description");

  auto* ds_reeval = dataset->add_subcommand(
      "reevaluate", "Judge a dataset's documents again under the server's current policy");
  std::string reeval_id;
  ds_reeval->add_option("--dataset-id", reeval_id, "Dataset to re-evaluate")->required();

  // source assess
  auto* source = app.add_subcommand("source", "Assessments of sources (TC260-003 sampling)");
  source->require_subcommand(1);
  auto* assess = source->add_subcommand(
      "assess", "Record a sampling assessment; over the policy's rate the source is blacklisted");
  cli::AssessArgs aargs;
  auto* a_domain = assess->add_option("--domain", aargs.domain, "A domain and its subdomains");
  auto* a_ds = assess->add_option("--dataset-name", aargs.dataset_name, "A dataset name");
  a_domain->excludes(a_ds);
  assess->add_option("--sample", aargs.sample_size, "Items sampled")->required();
  assess->add_option("--failures", aargs.failures, "Illegal or harmful items found")->required();
  assess->add_option("--assessor", aargs.assessor, "Who assessed")->required();
  assess->add_option("--phase", aargs.phase, "before_collection or after_collection");
  assess->add_option("--notes", aargs.notes, "Notes");

  // optout add
  auto* optout = app.add_subcommand("optout", "The opt-out registry of do-not-train declarations");
  optout->require_subcommand(1);
  auto* optout_add = optout->add_subcommand(
      "add", "Declare a work (FILE), a URL pattern or a domain not to be used for training");
  cli::OptOutArgs oargs;
  optout_add->add_option("--declarant", oargs.declarant, "Who declares (rights holder)")
      ->required();
  optout_add->add_option("--reference", oargs.reference, "Their reference (URL, registry id)");
  auto* oo_file = optout_add->add_option("file", oargs.file, "The work itself");
  auto* oo_url = optout_add->add_option("--url-pattern", oargs.url_pattern,
                                        "A URL glob, e.g. https://books.example/*");
  auto* oo_domain = optout_add->add_option("--domain", oargs.domain, "A domain and its subdomains");
  oo_file->excludes(oo_url)->excludes(oo_domain);
  oo_url->excludes(oo_domain);

  // register
  auto* reg = app.add_subcommand("register", "Register files, folders or JSONL shards");
  cli::RegisterArgs rargs;
  reg->add_option("--dataset-id", rargs.dataset_id, "Dataset id from `dataset create`")->required();
  reg->add_option("inputs", rargs.inputs, "Files, folders, or .jsonl files of {\"ref\",\"text\"}")
      ->required();
  reg->add_option("--receipts", rargs.receipts_out, "Write receipts as JSONL to this file");
  reg->add_flag("--jsonl", rargs.jsonl, "Parse every input file as JSONL");
  reg->add_flag("--quiet", rargs.quiet, "Do not print receipts");
  reg->add_flag("--fingerprints", rargs.fingerprints,
                "Inputs are `provledger fingerprint --format pb` files: register the "
                "fingerprints, not the content");
  reg->add_option("--source", rargs.source_file,
                  "Source record for every document (JSON); a JSONL record's \"source\" "
                  "overrides it");

  // policy (offline)
  auto* pol = app.add_subcommand("policy", "Check source records against a policy, offline");
  pol->require_subcommand(1);
  auto* pol_check = pol->add_subcommand(
      "check", "Judge JSONL records {\"ref\", \"source\"} as the server would; JSON verdicts out");
  cli::PolicyCheckArgs pargs;
  pol_check->add_option("inputs", pargs.inputs, "JSONL files")->required();
  pol_check->add_option("--policy", pargs.policy_file, "Policy file (default: built in)");
  pol_check->add_option("--intended-use", pargs.intended_use, "Intended use")
      ->capture_default_str();
  pol_check->add_option("--defaults", pargs.defaults_file,
                        "The dataset's default source record (JSON)");
  pol_check->add_option("--media-type", pargs.media_type, "Judge as this media type");
  auto* pol_default = pol->add_subcommand("default", "Print the built-in default policy");

  // checkpoint, vkey, entries
  auto* checkpoint = app.add_subcommand("checkpoint", "Print a signed checkpoint");
  uint64_t cp_size = 0;
  std::string cp_out;
  checkpoint->add_option("--size", cp_size, "Tree size (default: latest)");
  checkpoint->add_option("--out", cp_out, "Write to this file instead of stdout");
  auto* vkey = app.add_subcommand("vkey", "Print the server's verifier key(s)");
  auto* entries = app.add_subcommand("entries", "Print ledger entries as JSON lines");
  uint64_t e_start = 0;
  uint32_t e_count = 100;
  entries->add_option("--start", e_start, "First index");
  entries->add_option("--count", e_count, "How many (1..1000)");

  // proof, consistency
  auto* proof = app.add_subcommand("proof", "Fetch an inclusion proof as a c2sp.org/tlog-proof");
  uint64_t p_index = 0, p_size = 0;
  std::string p_out;
  proof->add_option("--index", p_index, "Ledger index")->required();
  proof->add_option("--size", p_size, "Tree size (default: latest)");
  proof->add_option("--out", p_out, "Write to this file instead of stdout");
  auto* consistency = app.add_subcommand("consistency", "Fetch a consistency proof");
  uint64_t c_from = 0, c_to = 0;
  std::string c_out;
  consistency->add_option("--from", c_from, "Older tree size")->required();
  consistency->add_option("--to", c_to, "Newer tree size (default: latest)");
  consistency->add_option("--out", c_out, "Write to this file instead of stdout");

  // verify (offline)
  auto* verify = app.add_subcommand("verify", "Verify offline with the verifier key");
  verify->require_subcommand(1);
  std::string v_key, v_file, v_content, v_old, v_new, v_proof;
  auto* v_cp = verify->add_subcommand("checkpoint", "Verify a signed checkpoint");
  v_cp->add_option("file", v_file, "Checkpoint file")->required();
  v_cp->add_option("--vkey", v_key, "Verifier key, or a file holding it")->required();
  auto* v_inc = verify->add_subcommand("inclusion", "Verify a .tlog-proof");
  v_inc->add_option("file", v_file, "Proof file from `provledger proof`")->required();
  v_inc->add_option("--vkey", v_key, "Verifier key, or a file holding it")->required();
  v_inc->add_option("--content", v_content, "Also check that this file is the registered content");
  auto* v_cons =
      verify->add_subcommand("consistency", "Verify that one checkpoint extends another");
  v_cons->add_option("--old", v_old, "Older checkpoint file")->required();
  v_cons->add_option("--new", v_new, "Newer checkpoint file")->required();
  v_cons->add_option("--proof", v_proof, "Proof file from `provledger consistency`")->required();
  v_cons->add_option("--vkey", v_key, "Verifier key, or a file holding it")->required();

  auto* v_receipt = verify->add_subcommand(
      "receipt", "Verify a signed match receipt: signature, checkpoint, proofs, evidence");
  v_receipt->add_option("file", v_file, "Receipt file from `provledger match --receipt`")
      ->required();
  v_receipt->add_option("--vkey", v_key, "Verifier key, or a file holding it")->required();
  v_receipt->add_option("--content", v_content,
                        "Also check that the receipt is for this work (recomputes its "
                        "fingerprints)");

  auto* v_report = verify->add_subcommand(
      "report", "Verify a signed filing report: signature, checkpoints, proofs, the sample");
  v_report->add_option("file", v_file, "Report file from `provledger report generate`")->required();
  v_report->add_option("--vkey", v_key, "Verifier key, or a file holding it")->required();

  // lookup, match, lineage (LineageService)
  auto add_as_of = [](CLI::App* cmd, cli::AsOfArgs* a) {
    auto* size = cmd->add_option("--as-of-size", a->tree_size,
                                 "Answer from the ledger as it stood at this tree size");
    auto* time = cmd->add_option("--as-of-time", a->time,
                                 "... or at this time (RFC 3339, e.g. 2026-11-01T00:00:00Z)");
    size->excludes(time);
  };
  auto* lookup = app.add_subcommand(
      "lookup", "Every registration of a work (FILE, hashed locally) or of a content id");
  cli::LookupArgs largs;
  lookup->add_option("file", largs.file, "The work; only its SHA-256 is sent");
  lookup->add_option("--content-id", largs.content_id_hex, "SHA-256 (hex)");
  lookup->add_option("--normalized-hash", largs.normalized_hash_hex,
                     "XXH3-128 of the normalised text (hex), from `provledger fingerprint`");
  lookup->add_option("--limit", largs.limit, "At most this many (1..1000)")->capture_default_str();
  lookup->add_flag("--json", largs.json, "JSON instead of a table");
  add_as_of(lookup, &largs.as_of);
  auto* match = app.add_subcommand(
      "match", "Was this work, a reformatted copy, a near duplicate or an excerpt registered?");
  cli::MatchArgs margs;
  match->add_option("input", margs.input, "The work (a file, or - for stdin)")->required();
  match->add_option("--min-jaccard", margs.min_jaccard,
                    "Near duplicates need at least this estimated Jaccard (>= 0.5)");
  match->add_option("--kind", margs.kinds,
                    "Only EXACT, NORMALISED, NEAR_DUPLICATE or CONTAINED (repeat)");
  match->add_option("--limit", margs.limit, "Matches to show (1..500)")->capture_default_str();
  match->add_flag("--json", margs.json, "JSON instead of a table");
  match->add_option("--receipt", margs.receipt_out,
                    "Write a signed receipt of the matches to this file");
  add_as_of(match, &margs.as_of);
  auto* lineage = app.add_subcommand("lineage", "Dataset and model lineage");
  lineage->require_subcommand(1);
  auto* l_ds = lineage->add_subcommand(
      "dataset", "A dataset version's ancestors, descendants and the models trained on them");
  std::string l_dataset;
  bool l_json = false;
  cli::AsOfArgs l_as_of;
  l_ds->add_option("--dataset-id", l_dataset, "Dataset version")->required();
  l_ds->add_flag("--json", l_json, "JSON instead of text");
  add_as_of(l_ds, &l_as_of);
  auto* l_model = lineage->add_subcommand(
      "model", "A model version's training runs, dataset versions and what they hold");
  std::string l_name, l_version;
  l_model->add_option("--name", l_name, "Model name")->required();
  l_model->add_option("--version", l_version, "Model version");
  l_model->add_flag("--json", l_json, "JSON instead of text");
  add_as_of(l_model, &l_as_of);

  // report (ReportService) and its renderings
  auto* report =
      app.add_subcommand("report", "Filing reports: generate, review the sample, render");
  report->require_subcommand(1);
  auto* r_gen = report->add_subcommand(
      "generate", "A signed report on a model version's (or dataset versions') training data");
  cli::ReportArgs gargs;
  r_gen->add_option("--model", gargs.model, "Model name");
  r_gen->add_option("--version", gargs.version, "Model version");
  r_gen->add_option("--dataset", gargs.datasets, "A sealed dataset version (repeat)");
  r_gen->add_option("--sample-size", gargs.sample_size, "Training documents to sample (4000)");
  r_gen->add_option("--sample-checkpoint", gargs.sample_tree_size,
                    "Seed the sample with the checkpoint of this tree size (an earlier report's), "
                    "to keep its sample");
  r_gen->add_option("--out", gargs.out, "Write the signed report here")->required();
  add_as_of(r_gen, &gargs.as_of);
  auto* r_review = report->add_subcommand(
      "review", "Record a reviewer's pass/fail judgement of a sampled document");
  cli::ReviewArgs vargs;
  r_review->add_option("--document", vargs.document_index, "The sampled document's entry");
  r_review->add_flag("--pass", vargs.pass, "The document passed review");
  r_review->add_flag("--fail", vargs.fail, "The document failed review");
  r_review->add_option("--reviewer", vargs.reviewer, "Who reviewed it");
  r_review->add_option("--notes", vargs.notes, "Notes");
  r_review->add_option("--sample-checkpoint", vargs.sample_tree_size,
                       "The sample's seed tree size (from the report)");
  r_review->add_option("--file", vargs.file,
                       "JSONL of {\"document_index\", \"result\": \"pass\"|\"fail\", "
                       "\"reviewer\", \"notes\"} instead of the flags");
  auto* r_render = report->add_subcommand(
      "render", "HTML, SPDX 3.0, CycloneDX 1.6, Croissant, AB 2013 or EU summary from a report");
  std::string r_file, r_format, r_out, r_vkey;
  r_render->add_option("file", r_file, "Signed report file")->required();
  r_render
      ->add_option("--format", r_format,
                   "html, spdx, cyclonedx, croissant, ab2013, eu-summary-json, eu-summary-md")
      ->required();
  r_render->add_option("--out", r_out, "Write here instead of stdout");
  r_render->add_option("--vkey", r_vkey, "Verify the report with this key first");

  auto* r_sample = report->add_subcommand(
      "sample", "List a report's sampled training documents (JSONL) for the reviewers");
  r_sample->add_option("file", r_file, "Signed report file")->required();
  r_sample->add_option("--vkey", r_vkey, "Verify the report with this key first");

  // fingerprint (offline, on pipeline workers)
  auto* fprint = app.add_subcommand("fingerprint",
                                    "Compute fingerprints locally so raw text stays on the worker");
  cli::FingerprintArgs fargs;
  fprint
      ->add_option("inputs", fargs.inputs, "Files, folders, or .jsonl files of {\"ref\",\"text\"}")
      ->required();
  fprint->add_option("--out", fargs.out, "Write here instead of stdout");
  fprint
      ->add_option("--format", fargs.format,
                   "jsonl, or pb: length-delimited provledger.v1.FingerprintRecord messages")
      ->check(CLI::IsMember({"jsonl", "pb"}))
      ->capture_default_str();
  fprint->add_flag("--jsonl", fargs.jsonl, "Parse every input file as JSONL");
  fprint->add_option("--threads", fargs.threads, "Worker threads (default: all cores)");

  // keygen
  auto* keygen = app.add_subcommand("keygen", "Create an Ed25519 signing key (PEM, mode 0600)");
  std::string k_name, k_out;
  keygen->add_option("--name", k_name, "Key name: the log's origin")->required();
  keygen->add_option("--out", k_out, "Key file to create")->required();

  CLI11_PARSE(app, argc, argv);

  if (*ds_create) {
    dargs.server = server;
    return cli::CreateDataset(dargs);
  }
  if (*ds_reeval) return cli::ReevaluateDataset(server, reeval_id);
  if (*assess) {
    aargs.server = server;
    return cli::RecordSourceAssessment(aargs);
  }
  if (*optout_add) {
    oargs.server = server;
    return cli::DeclareOptOut(oargs);
  }
  if (*ds_seal) return cli::SealDataset(server, seal_id);
  if (*ds_derive) {
    deriv.server = server;
    return cli::DeriveDataset(deriv);
  }
  if (*model_reg) {
    run.server = server;
    return cli::RegisterTrainingRun(run);
  }
  if (*pol_check) return cli::PolicyCheck(pargs);
  if (*pol_default) return cli::PolicyDefault();
  if (*reg) {
    rargs.server = server;
    return cli::Register(rargs);
  }
  if (*checkpoint) return cli::GetCheckpoint(server, cp_size, cp_out);
  if (*vkey) return cli::ShowVerifierKeys(server);
  if (*entries) return cli::Entries(server, e_start, e_count);
  if (*proof) return cli::Proof(server, p_index, p_size, p_out);
  if (*consistency) return cli::Consistency(server, c_from, c_to, c_out);
  if (*v_cp) return cli::VerifyCheckpointFile(v_file, v_key);
  if (*v_inc) return cli::VerifyInclusionFile(v_file, v_key, v_content);
  if (*v_cons) return cli::VerifyConsistencyFiles(v_old, v_new, v_proof, v_key);
  if (*v_receipt) return cli::VerifyReceiptFile(v_file, v_key, v_content);
  if (*v_report) return cli::VerifyReportFile(v_file, v_key);
  if (*r_gen) {
    gargs.server = server;
    return cli::GenerateReport(gargs);
  }
  if (*r_review) {
    vargs.server = server;
    return cli::RecordReviews(vargs);
  }
  if (*r_render) return cli::RenderReport(r_file, r_format, r_out, r_vkey);
  if (*r_sample) return cli::ReportSample(r_file, r_vkey);
  if (*lookup) {
    largs.server = server;
    return cli::Lookup(largs);
  }
  if (*match) {
    margs.server = server;
    return cli::Match(margs);
  }
  if (*l_ds) return cli::DatasetLineage(server, l_dataset, l_as_of, l_json);
  if (*l_model) return cli::ModelLineage(server, l_name, l_version, l_as_of, l_json);
  if (*fprint) return cli::Fingerprint(fargs);
  if (*keygen) return cli::Keygen(k_name, k_out);
  return 2;
}
