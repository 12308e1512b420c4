using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Nehr.Core.Records;

using Nehr.Core.Contribution;

namespace Nehr.Integration.Tests;

/// <summary>The patient the bodies are about, as the NEHR knows them (FHIR values: birthDate yyyy-MM-dd, gender female/male).</summary>
internal sealed record Person(string Nric, string Family, string Given, string BirthDate, string Gender);

/// <summary>A request body the contribution API must refuse as a whole, and the content type it is sent with ("" = no Content-Type header).</summary>
internal sealed record HostileBody(string Name, string ContentType, byte[] Body);

/// <summary>
/// Request bodies that the contribution API must refuse as a whole. Each is the valid base transaction
/// (<see cref="ValidBaseJson"/>: a Patient and one of each kept clinical resource, all referencing the Patient entry) with
/// one defect, or not a valid bundle at all. Every defect is in the bundle's structure, in the Patient or in a kept
/// resource, never only in a resource type the NEHR does not keep. Names start with their class in brackets and are
/// unique; no two bodies are the same; nothing is random.
/// </summary>
internal static class HostileBodies
{
    public const string FhirJson = "application/fhir+json";

    public static string ValidBaseJson(Person p) => new Corpus(p).BaseJson();

    public static IReadOnlyList<HostileBody> All(Person p) => new Corpus(p).Build();

    /// <summary>The class of a body: the bracketed start of its name.</summary>
    public static string ClassOf(string name) => name.StartsWith('[') ? name[..(name.IndexOf(']', StringComparison.Ordinal) + 1)] : "?";

    private sealed class Corpus(Person p)
    {
        private const string NricSystem = "http://nehr.moh.gov.sg/fhir/sid/nric";
        private const string CategorySystem = "http://terminology.hl7.org/CodeSystem/observation-category";
        private const string SourceSystem = "urn:nehr-hostile:emr";
        private const int PatientEntry = 0, Allergy = 1, Immunization = 2, Observation = 3, Condition = 4, Encounter = 5, Document = 6, Procedure = 7, Medication = 8;
        private const int EntryCount = 9;
        private const string DocumentText = "Referred to cardiology for exertional chest pain.";

        private static readonly string[] Types =
        [
            "Patient", "AllergyIntolerance", "Immunization", "Observation", "Condition", "Encounter", "DocumentReference", "Procedure", "MedicationRequest",
        ];

        private static readonly JsonSerializerOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

        private readonly List<HostileBody> _bodies = [];
        private readonly HashSet<string> _names = new(StringComparer.Ordinal);
        private readonly HashSet<string> _hashes = new(StringComparer.Ordinal);
        private readonly List<string> _raw = [];

        // Two valid NRICs of people with no Patient entry in the bundle: the same seven digits in the S and the T series
        // (one of them is a demo patient, DemoDataGenerator.NricFor(3, ...); the other is not in the NEHR), or a third
        // should one of them be the patient's own.
        private readonly string[] _others = new[] { Nric.FromDigits('S', 1_258_324).Value, Nric.FromDigits('T', 1_258_324).Value, Nric.FromDigits('S', 7_654_321).Value }
            .Where(n => n != p.Nric).Take(2).ToArray();

        private string Other => _others[0];

        /// <summary>The patient's own NRIC with a wrong check letter (not A: S1234567A has its own body).</summary>
        private string WrongCheckLetter => p.Nric[..8] + (p.Nric[8] == 'B' ? 'C' : 'B');

        public string BaseJson() => Serialize(Base());

        public List<HostileBody> Build()
        {
            NotABundle();
            BundleType();
            Entries();
            Request();
            Required();
            Dates();
            Quantities();
            Strings();
            Base64();
            Identity();
            References();
            Bindings();
            ContentTypes();
            EveryElement();
            return _bodies;
        }

        // ---------------------------------------------------------------- the valid base

        private static string FullUrl(int entry) => $"urn:uuid:5e0f7a2c-1d3b-4c8e-9a61-{entry + 1:D12}";

        private static string Dangling(int n) => $"urn:uuid:0badc0de-0000-4000-8000-{n:D12}";

        private static string SubjectOf(int entry) => entry is Allergy or Immunization ? "patient" : "subject";

        private static string At(int entry, string path) => $"entry[{entry}].resource" + (path.Length == 0 ? "" : "." + path);

        private static JsonObject Reference(string url) => new() { ["reference"] = url };

        private static JsonArray Identifier(string value) => [new JsonObject { ["system"] = SourceSystem, ["value"] = value }];

        private static JsonObject Text(string text) => new() { ["text"] = text };

        private static JsonObject Coded(string system, string code) => new() { ["coding"] = new JsonArray(new JsonObject { ["system"] = system, ["code"] = code }) };

        private JsonObject PatientResource(string nric)
        {
            var name = new JsonObject { ["family"] = p.Family };
            if (p.Given.Length > 0)
            {
                name["given"] = new JsonArray(p.Given);
            }

            return new JsonObject
            {
                ["resourceType"] = "Patient",
                ["identifier"] = new JsonArray(new JsonObject { ["system"] = NricSystem, ["value"] = nric }),
                ["name"] = new JsonArray(name),
                ["gender"] = p.Gender,
                ["birthDate"] = p.BirthDate,
            };
        }

        private static JsonObject Entry(int index, JsonObject resource, string method, string url) => new()
        {
            ["fullUrl"] = FullUrl(index),
            ["resource"] = resource,
            ["request"] = new JsonObject { ["method"] = method, ["url"] = url },
        };

        private static JsonObject Clinical(int index, JsonObject resource) => Entry(index, resource, "POST", Types[index]);

        /// <summary>The bundle every hostile body is one defect away from: accepted as it is.</summary>
        private JsonObject Base()
        {
            var subject = Reference(FullUrl(PatientEntry));
            JsonObject Subject() => (JsonObject)subject.DeepClone();
            return new JsonObject
            {
                ["resourceType"] = "Bundle",
                ["type"] = "transaction",
                ["entry"] = new JsonArray(
                    Entry(PatientEntry, PatientResource(p.Nric), "PUT", $"Patient?identifier={NricSystem}|{p.Nric}"),
                    Clinical(Allergy, new JsonObject
                    {
                        ["resourceType"] = "AllergyIntolerance",
                        ["identifier"] = Identifier("allergy-1"),
                        ["clinicalStatus"] = Coded("http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "active"),
                        ["criticality"] = "high",
                        ["code"] = Text("Penicillin"),
                        ["patient"] = Subject(),
                        ["recordedDate"] = "2025-03-01",
                    }),
                    Clinical(Immunization, new JsonObject
                    {
                        ["resourceType"] = "Immunization",
                        ["identifier"] = Identifier("immunization-1"),
                        ["status"] = "completed",
                        ["vaccineCode"] = Text("Influenza vaccine"),
                        ["patient"] = Subject(),
                        ["occurrenceDateTime"] = "2025-10-01",
                    }),
                    Clinical(Observation, new JsonObject
                    {
                        ["resourceType"] = "Observation",
                        ["identifier"] = Identifier("observation-1"),
                        ["status"] = "final",
                        ["category"] = new JsonArray(Coded(CategorySystem, "laboratory")),
                        ["code"] = new JsonObject
                        {
                            ["coding"] = new JsonArray(new JsonObject { ["system"] = "http://loinc.org", ["code"] = "4548-4", ["display"] = "Hemoglobin A1c/Hemoglobin.total in Blood" }),
                            ["text"] = "HbA1c",
                        },
                        ["subject"] = Subject(),
                        ["effectiveDateTime"] = "2025-06-04T08:30:00+08:00",
                        ["valueQuantity"] = new JsonObject { ["value"] = 7.2m, ["unit"] = "%", ["system"] = "http://unitsofmeasure.org", ["code"] = "%" },
                    }),
                    Clinical(Condition, new JsonObject
                    {
                        ["resourceType"] = "Condition",
                        ["identifier"] = Identifier("condition-1"),
                        ["clinicalStatus"] = Coded("http://terminology.hl7.org/CodeSystem/condition-clinical", "active"),
                        ["code"] = Text("Type 2 diabetes mellitus"),
                        ["subject"] = Subject(),
                        ["recordedDate"] = "2025-06-06",
                    }),
                    Clinical(Encounter, new JsonObject
                    {
                        ["resourceType"] = "Encounter",
                        ["identifier"] = Identifier("encounter-1"),
                        ["status"] = "finished",
                        ["class"] = new JsonObject { ["system"] = "http://terminology.hl7.org/CodeSystem/v3-ActCode", ["code"] = "AMB", ["display"] = "ambulatory" },
                        ["type"] = new JsonArray(Text("Diabetes clinic visit")),
                        ["subject"] = Subject(),
                        ["period"] = new JsonObject { ["start"] = "2025-06-07T09:00:00+08:00", ["end"] = "2025-06-07T09:30:00+08:00" },
                    }),
                    Clinical(Document, new JsonObject
                    {
                        ["resourceType"] = "DocumentReference",
                        ["identifier"] = Identifier("document-1"),
                        ["status"] = "current",
                        ["type"] = Text("Referral letter"),
                        ["subject"] = Subject(),
                        ["date"] = "2025-06-09T10:00:00+08:00",
                        ["content"] = new JsonArray(new JsonObject
                        {
                            ["attachment"] = new JsonObject
                            {
                                ["contentType"] = "text/plain",
                                ["data"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(DocumentText)),
                                ["title"] = "Referral letter",
                            },
                        }),
                    }),
                    Clinical(Procedure, new JsonObject
                    {
                        ["resourceType"] = "Procedure",
                        ["identifier"] = Identifier("procedure-1"),
                        ["status"] = "completed",
                        ["code"] = Text("Colonoscopy"),
                        ["subject"] = Subject(),
                        ["performedDateTime"] = "2025-06-10T10:00:00+08:00",
                    }),
                    Clinical(Medication, new JsonObject
                    {
                        ["resourceType"] = "MedicationRequest",
                        ["identifier"] = Identifier("medication-1"),
                        ["status"] = "active",
                        ["intent"] = "order",
                        ["medicationCodeableConcept"] = Text("Metformin 500 mg tablet"),
                        ["subject"] = Subject(),
                        ["authoredOn"] = "2025-06-01",
                        ["dosageInstruction"] = new JsonArray(new JsonObject { ["text"] = "1 tablet twice a day" }),
                    })),
            };
        }

        // ---------------------------------------------------------------- adding bodies

        private bool Add(string name, byte[] body, string contentType = FhirJson, bool skipIfSameBody = false)
        {
            // The same bytes may come again with another content type (the [content type] class), never with the same.
            if (!_hashes.Add(contentType + " " + Convert.ToHexString(SHA256.HashData(body))))
            {
                return skipIfSameBody ? false : throw new InvalidOperationException($"The body of \"{name}\" is the same as an earlier one's.");
            }

            if (!_names.Add(name))
            {
                throw new InvalidOperationException($"Two bodies are named \"{name}\".");
            }

            _bodies.Add(new HostileBody(name, contentType, body));
            return true;
        }

        private void AddText(string name, string text, string contentType = FhirJson) => Add(name, Encoding.UTF8.GetBytes(text), contentType);

        /// <summary>The base bundle, changed.</summary>
        private void Mutate(string name, Action<JsonObject> change, bool skipIfSameBody = false)
        {
            var bundle = Base();
            _raw.Clear();
            change(bundle);
            Add(name, Encoding.UTF8.GetBytes(Serialize(bundle)), skipIfSameBody: skipIfSameBody);
        }

        private void Put(string path, JsonNode? value, string name) => Mutate(name, b => Set(b, path, value));

        /// <summary>
        /// JSON text put in as it is (what a JSON node cannot hold: lone surrogate escapes, numbers beyond a double, bare
        /// NaN, nesting deeper than the serializer allows): a placeholder string now, replaced when serialized.
        /// </summary>
        private JsonValue Raw(string json)
        {
            _raw.Add(json);
            return JsonValue.Create(Placeholder(_raw.Count - 1));
        }

        private static string Placeholder(int n) => $"__HOSTILE_RAW_{n}__";

        private string Serialize(JsonNode node)
        {
            var text = node.ToJsonString(Options);
            for (var i = 0; i < _raw.Count; i++)
            {
                text = text.Replace($"\"{Placeholder(i)}\"", _raw[i], StringComparison.Ordinal);
            }

            _raw.Clear();
            return text;
        }

        private static List<object> Segments(string path)
        {
            var segments = new List<object>();
            foreach (var part in path.Split('.'))
            {
                var bracket = part.IndexOf('[', StringComparison.Ordinal);
                segments.Add(bracket < 0 ? part : part[..bracket]);
                while (bracket >= 0)
                {
                    var end = part.IndexOf(']', bracket);
                    segments.Add(int.Parse(part[(bracket + 1)..end], CultureInfo.InvariantCulture));
                    bracket = part.IndexOf('[', end);
                }
            }

            return segments;
        }

        private static JsonNode Parent(JsonNode root, List<object> segments)
        {
            var node = root;
            foreach (var segment in segments.Take(segments.Count - 1))
            {
                node = (segment is int i ? node[i] : node[(string)segment]) ?? throw new InvalidOperationException($"No element at {segment}.");
            }

            return node;
        }

        private static JsonNode? Get(JsonNode root, string path)
        {
            var segments = Segments(path);
            var parent = Parent(root, segments);
            return segments[^1] is int i ? parent[i] : parent[(string)segments[^1]];
        }

        private static void Set(JsonNode root, string path, JsonNode? value)
        {
            var segments = Segments(path);
            var parent = Parent(root, segments);
            if (segments[^1] is int i)
            {
                parent.AsArray()[i] = value;
            }
            else
            {
                parent.AsObject()[(string)segments[^1]] = value;
            }
        }

        private static void Remove(JsonNode root, string path)
        {
            var segments = Segments(path);
            var parent = Parent(root, segments);
            if (segments[^1] is int i)
            {
                parent.AsArray().RemoveAt(i);
            }
            else if (!parent.AsObject().Remove((string)segments[^1]))
            {
                throw new InvalidOperationException($"Nothing to remove at {path}.");
            }
        }

        private static JsonArray EntriesOf(JsonObject bundle) => bundle["entry"]!.AsArray();

        /// <summary>A readable place: Observation.code.text, or Bundle.entry[3].request.method.</summary>
        private static string Label(string path)
        {
            if (!path.StartsWith("entry[", StringComparison.Ordinal))
            {
                return "Bundle." + path;
            }

            var end = path.IndexOf(']', StringComparison.Ordinal);
            var entry = int.Parse(path[6..end], CultureInfo.InvariantCulture);
            var rest = path[(end + 1)..];
            return rest.StartsWith(".resource", StringComparison.Ordinal)
                ? Types[entry] + rest[".resource".Length..]
                : $"Bundle.entry[{entry}]({Types[entry]}){rest}";
        }

        private static string Show(JsonNode? value) => value is null ? "null" : value.ToJsonString(Options);

        private static string Shorten(string text) => text.Length > 60 ? text[..57] + "..." : text;

        // ---------------------------------------------------------------- not a bundle at all

        private void NotABundle()
        {
            const string c = "[not a bundle]";
            var json = BaseJson();
            AddText($"{c} empty body", "");
            AddText($"{c} whitespace only", " \r\n\t ");
            AddText($"{c} JSON null", "null");
            AddText($"{c} a number", "42");
            AddText($"{c} a string", "\"Bundle\"");
            AddText($"{c} true", "true");
            AddText($"{c} an empty array", "[]");
            AddText($"{c} the valid bundle inside an array", "[" + json + "]");
            AddText($"{c} the valid bundle twice in an array", "[" + json + "," + json + "]");
            AddText($"{c} an empty object", "{}");
            AddText($"{c} truncated to its first byte", json[..1]);
            AddText($"{c} truncated to half", json[..(json.Length / 2)]);
            AddText($"{c} truncated by its last byte", json[..^1]);
            AddText($"{c} truncated inside the resourceType value", "{\"resourceType\":\"Bun");
            AddText($"{c} truncated inside a \\u escape", json[..(json.IndexOf("\"family\":\"", StringComparison.Ordinal) + 10)] + "\\u00");
            AddText($"{c} trailing garbage x", json + "x");
            AddText($"{c} trailing extra closing brace", json + "}");
            AddText($"{c} two bundles one after the other", json + json);
            AddText($"{c} trailing NUL character", json + "\0");
            AddText($"{c} trailing // comment", json + " // end");
            AddText($"{c} trailing comma", json + ",");
            AddText($"{c} trailing second object", json + "\n{}");
            AddText($"{c} leading )]}}' anti-hijacking prefix", ")]}'\n" + json);
            AddText($"{c} leading /* comment */", "/* NEHR */" + json);
            AddText($"{c} trailing comma inside the entry array", json[..^2] + ",]}");
            AddText($"{c} trailing comma inside the root object", json[..^1] + ",}");
            AddText($"{c} single-quoted JSON", json.Replace('"', '\''));
            AddText($"{c} unquoted property names", json.Replace("\"resourceType\":", "resourceType:", StringComparison.Ordinal));

            // Not UTF-8.
            var bytes = Encoding.UTF8.GetBytes(json);
            Add($"{c} UTF-16 LE with a byte-order mark", [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(json)]);
            Add($"{c} UTF-16 BE with a byte-order mark", [.. Encoding.BigEndianUnicode.GetPreamble(), .. Encoding.BigEndianUnicode.GetBytes(json)]);
            Add($"{c} UTF-16 LE without a byte-order mark", Encoding.Unicode.GetBytes(json));
            Add($"{c} UTF-32 LE with a byte-order mark", [.. Encoding.UTF32.GetPreamble(), .. Encoding.UTF32.GetBytes(json)]);
            Add($"{c} invalid UTF-8: FF FE before the JSON", [0xFF, 0xFE, .. bytes]);
            Add($"{c} invalid UTF-8: byte FF in Patient.name.family", Splice(json, "\"family\":\"", [0xFF]));
            Add($"{c} invalid UTF-8: Latin-1 byte E9 in Patient.name.family", Splice(json, "\"family\":\"", [0xE9]));
            Add($"{c} invalid UTF-8: overlong C0 AF in Condition.code.text", Splice(json, "\"text\":\"Type 2", [0xC0, 0xAF]));
            Add($"{c} invalid UTF-8: CESU-8 surrogate ED A0 80 in AllergyIntolerance.code.text", Splice(json, "\"text\":\"Penicillin", [0xED, 0xA0, 0x80]));
            Add($"{c} invalid UTF-8: truncated sequence E2 82 in Patient.identifier.value", Splice(json, "\"value\":\"" + p.Nric, [0xE2, 0x82]));
            Add($"{c} invalid UTF-8: lone continuation byte 80 in Observation.code.text", Splice(json, "\"text\":\"HbA1c", [0x80]));
            Add($"{c} invalid UTF-8: F4 90 80 80 (above U+10FFFF) in Procedure.code.text", Splice(json, "\"text\":\"Colonoscopy", [0xF4, 0x90, 0x80, 0x80]));

            // 10,000 deep.
            const int deep = 10_000;
            AddText($"{c} arrays nested {deep:N0} deep", new string('[', deep) + new string(']', deep));
            AddText($"{c} objects nested {deep:N0} deep", string.Concat(Enumerable.Repeat("{\"a\":", deep)) + "1" + new string('}', deep));
            Mutate($"{c} Bundle.meta nested {deep:N0} deep", b => b["meta"] = Raw(string.Concat(Enumerable.Repeat("{\"a\":", deep)) + "1" + new string('}', deep)));
            Mutate($"{c} Patient.extension nested {deep:N0} deep", b => Set(b, At(PatientEntry, "extension"),
                Raw(string.Concat(Enumerable.Repeat("[{\"url\":\"urn:x\",\"extension\":", deep)) + "[]" + string.Concat(Enumerable.Repeat("}]", deep)))));
            Mutate($"{c} Observation.valueQuantity.value nested in arrays {deep:N0} deep", b => Set(b, At(Observation, "valueQuantity.value"),
                Raw(new string('[', deep) + "7.2" + new string(']', deep))));

            // XML, as JSON.
            AddText($"{c} FHIR XML sent as application/fhir+json", Xml(prolog: false));
            AddText($"{c} FHIR XML with an XML declaration sent as application/fhir+json", Xml(prolog: true));

            // resourceType.
            var patientOnly = (JsonObject)Get(Base(), At(PatientEntry, ""))!.DeepClone();
            AddText($"{c} a lone Patient resource", Serialize(patientOnly));
            AddText($"{c} a lone Condition resource", Serialize(Get(Base(), At(Condition, ""))!.DeepClone()));
            foreach (var (what, value) in new (string, Func<JsonNode?>)[]
            {
                ("\"Resource\"", () => "Resource"), ("\"DomainResource\"", () => "DomainResource"), ("\"Patient\" (with the bundle's type and entries)", () => "Patient"),
                ("\"Foo\"", () => "Foo"), ("\"bundle\" (wrong case)", () => "bundle"), ("\"Bundle \" (trailing space)", () => "Bundle "), ("\"\"", () => ""),
                ("42", () => 42), ("null", () => null), ("[\"Bundle\"]", () => new JsonArray("Bundle")), ("{}", () => new JsonObject()),
            })
            {
                Mutate($"{c} resourceType {what}", b => b["resourceType"] = value());
            }

            Mutate($"{c} resourceType missing", b => b.Remove("resourceType"));

            // Duplicate keys: which one counts depends on the parser.
            var typeProperty = "\"type\":\"transaction\"";
            AddText($"{c} duplicate key: type collection then transaction", json.Replace(typeProperty, "\"type\":\"collection\"," + typeProperty, StringComparison.Ordinal));
            AddText($"{c} duplicate key: type transaction then collection", json.Replace(typeProperty, typeProperty + ",\"type\":\"collection\"", StringComparison.Ordinal));
            AddText($"{c} duplicate key: resourceType Bundle then Patient", json.Replace("{\"resourceType\":\"Bundle\"", "{\"resourceType\":\"Bundle\",\"resourceType\":\"Patient\"", StringComparison.Ordinal));
            AddText($"{c} duplicate key: Patient.birthDate twice, different", ReplaceOnce(json, $"\"birthDate\":\"{p.BirthDate}\"", $"\"birthDate\":\"1901-01-01\",\"birthDate\":\"{p.BirthDate}\""));
            AddText($"{c} duplicate key: Patient.identifier twice, another NRIC first", ReplaceOnce(json, "\"identifier\":[{\"system\":\"" + NricSystem,
                $"\"identifier\":[{{\"system\":\"{NricSystem}\",\"value\":\"{Other}\"}}],\"identifier\":[{{\"system\":\"" + NricSystem));
        }

        private static string ReplaceOnce(string text, string what, string with)
        {
            var at = text.IndexOf(what, StringComparison.Ordinal);
            return at < 0 ? throw new InvalidOperationException($"{what} is not in the text.") : text[..at] + with + text[(at + what.Length)..];
        }

        private static byte[] Splice(string json, string after, byte[] bytes)
        {
            var at = json.IndexOf(after, StringComparison.Ordinal);
            if (at < 0)
            {
                throw new InvalidOperationException($"{after} is not in the base bundle.");
            }

            at += after.Length;
            return [.. Encoding.UTF8.GetBytes(json[..at]), .. bytes, .. Encoding.UTF8.GetBytes(json[at..])];
        }

        private string Xml(bool prolog) =>
            (prolog ? "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" : "") +
            "<Bundle xmlns=\"http://hl7.org/fhir\"><type value=\"transaction\"/>" +
            $"<entry><fullUrl value=\"{FullUrl(PatientEntry)}\"/><resource><Patient><identifier><system value=\"{NricSystem}\"/><value value=\"{p.Nric}\"/></identifier>" +
            $"<name><family value=\"{p.Family}\"/><given value=\"{p.Given}\"/></name><gender value=\"{p.Gender}\"/><birthDate value=\"{p.BirthDate}\"/></Patient></resource>" +
            $"<request><method value=\"PUT\"/><url value=\"Patient?identifier={NricSystem}|{p.Nric}\"/></request></entry>" +
            $"<entry><fullUrl value=\"{FullUrl(Condition)}\"/><resource><Condition><identifier><system value=\"{SourceSystem}\"/><value value=\"condition-1\"/></identifier>" +
            $"<code><text value=\"Type 2 diabetes mellitus\"/></code><subject><reference value=\"{FullUrl(PatientEntry)}\"/></subject><recordedDate value=\"2025-06-06\"/></Condition></resource>" +
            "<request><method value=\"POST\"/><url value=\"Condition\"/></request></entry></Bundle>";

        // ---------------------------------------------------------------- Bundle.type

        private void BundleType()
        {
            const string c = "[bundle type]";
            foreach (var (what, value) in new (string, Func<JsonNode?>)[]
            {
                ("\"xyz\"", () => "xyz"), ("\"\"", () => ""), ("null", () => null), ("1", () => 1), ("true", () => true),
                ("\"collection\"", () => "collection"), ("\"document\"", () => "document"), ("\"searchset\"", () => "searchset"), ("\"message\"", () => "message"),
                ("\"history\"", () => "history"), ("\"transaction-response\"", () => "transaction-response"), ("\"batch-response\"", () => "batch-response"),
                ("\"Transaction\" (wrong case)", () => "Transaction"), ("\"TRANSACTION\" (wrong case)", () => "TRANSACTION"),
                ("\"transaction \" (trailing space)", () => "transaction "), ("\" transaction\" (leading space)", () => " transaction"),
                ("[\"transaction\"]", () => new JsonArray("transaction")), ("{\"value\":\"transaction\"}", () => new JsonObject { ["value"] = "transaction" }),
            })
            {
                Put("type", value(), $"{c} Bundle.type {what}");
            }

            Mutate($"{c} Bundle.type missing", b => b.Remove("type"));
        }

        // ---------------------------------------------------------------- Bundle.entry

        private void Entries()
        {
            const string c = "[entries]";
            foreach (var (what, value) in new (string, Func<JsonNode?>)[]
            {
                ("null", () => null), ("{}", () => new JsonObject()), ("\"x\"", () => "x"), ("[] (an empty bundle)", () => new JsonArray()), ("42", () => 42), ("true", () => true),
            })
            {
                Put("entry", value(), $"{c} Bundle.entry {what}");
            }

            Mutate($"{c} Bundle.entry missing (an empty bundle)", b => b.Remove("entry"));
            Mutate($"{c} Bundle.entry the Patient entry as an object, not an array", b => b["entry"] = EntriesOf(b)[0]!.DeepClone());
            Mutate($"{c} Bundle.entry every entry wrapped in one more array", b => b["entry"] = new JsonArray(EntriesOf(b).DeepClone()));
            Mutate($"{c} Bundle.entry {FhirBundleReader.MaxEntries + 1:N0} entries (over the limit of {FhirBundleReader.MaxEntries:N0})", b =>
            {
                var entries = EntriesOf(b);
                var condition = entries[Condition]!;
                for (var i = 0; i < FhirBundleReader.MaxEntries + 1 - EntryCount; i++)
                {
                    var copy = condition.DeepClone();
                    copy["fullUrl"] = $"urn:uuid:5e0f7a2c-1d3b-4c8e-9a62-{i:D12}";
                    copy["resource"]!["identifier"]![0]!["value"] = $"condition-extra-{i}";
                    entries.Add(copy);
                }
            });

            var bad = new (string What, Func<JsonNode?> Entry)[]
            {
                ("null", () => null),
                ("42", () => 42),
                ("\"x\"", () => "x"),
                ("true", () => true),
                ("{}", () => new JsonObject()),
                ("[] (an array)", () => new JsonArray()),
                ("without a resource", () => new JsonObject { ["fullUrl"] = Dangling(900), ["request"] = new JsonObject { ["method"] = "POST", ["url"] = "Condition" } }),
                ("with resource null", () => Extra(null)),
                ("with resource []", () => Extra(new JsonArray())),
                ("with resource \"x\"", () => Extra("x")),
                ("with resource 42", () => Extra(42)),
                ("with resource {}", () => Extra(new JsonObject())),
                ("with resourceType \"Resource\"", () => Extra(new JsonObject { ["resourceType"] = "Resource", ["id"] = "r1" })),
                ("with resourceType \"DomainResource\"", () => Extra(new JsonObject { ["resourceType"] = "DomainResource", ["id"] = "r1" })),
                ("with resourceType \"Foo\"", () => Extra(new JsonObject { ["resourceType"] = "Foo", ["id"] = "r1" })),
                ("with resourceType \"condition\" (wrong case)", () => Extra(ExtraCondition("condition"))),
                ("with resourceType 42", () => Extra(ExtraCondition(42))),
                ("with a Condition without resourceType", () => Extra(ExtraCondition(null, remove: true))),
            };
            foreach (var (what, entry) in bad)
            {
                Mutate($"{c} an extra entry {what}, last", b => EntriesOf(b).Add(entry()));
                Mutate($"{c} an extra entry {what}, first", b => EntriesOf(b).Insert(0, entry()));
            }

            for (var i = 0; i < EntryCount; i++)
            {
                var entry = i;
                Mutate($"{c} {Types[i]} entry: resourceType missing", b => Remove(b, At(entry, "resourceType")));
                Mutate($"{c} {Types[i]} entry: resourceType \"Resource\"", b => Set(b, At(entry, "resourceType"), "Resource"));
                Mutate($"{c} {Types[i]} entry: resourceType \"DomainResource\"", b => Set(b, At(entry, "resourceType"), "DomainResource"));
                Mutate($"{c} {Types[i]} entry: resourceType \"Foo\"", b => Set(b, At(entry, "resourceType"), "Foo"));
                Mutate($"{c} {Types[i]} entry: resource removed", b => EntriesOf(b)[entry]!.AsObject().Remove("resource"));
            }
        }

        private static JsonObject Extra(JsonNode? resource) => new()
        {
            ["fullUrl"] = Dangling(901),
            ["resource"] = resource,
            ["request"] = new JsonObject { ["method"] = "POST", ["url"] = "Condition" },
        };

        /// <summary>A second, valid Condition with its resourceType changed.</summary>
        private static JsonObject ExtraCondition(JsonNode? resourceType, bool remove = false)
        {
            var condition = new JsonObject
            {
                ["resourceType"] = resourceType,
                ["identifier"] = Identifier("condition-extra"),
                ["code"] = Text("Hypertension"),
                ["subject"] = Reference(FullUrl(PatientEntry)),
                ["recordedDate"] = "2025-06-06",
            };
            if (remove)
            {
                condition.Remove("resourceType");
            }

            return condition;
        }

        // ---------------------------------------------------------------- Bundle.entry.request (bdl-3: required in a transaction)

        private void Request()
        {
            const string c = "[request]";
            for (var i = 0; i < EntryCount; i++)
            {
                var entry = i;
                Mutate($"{c} {Types[i]} entry: request removed", b => EntriesOf(b)[entry]!.AsObject().Remove("request"));
                Mutate($"{c} {Types[i]} entry: request.method removed", b => Remove(b, $"entry[{entry}].request.method"));
                Mutate($"{c} {Types[i]} entry: request.url removed", b => Remove(b, $"entry[{entry}].request.url"));
            }

            Put($"entry[{Condition}].request.method", "FETCH", $"{c} Condition entry: request.method \"FETCH\" (not an HTTP verb of FHIR)");
            Put($"entry[{Condition}].request.method", "post", $"{c} Condition entry: request.method \"post\" (wrong case)");
            Put($"entry[{PatientEntry}].request.method", "put", $"{c} Patient entry: request.method \"put\" (wrong case)");
        }

        // ---------------------------------------------------------------- required elements removed

        /// <summary>
        /// Elements every kept resource needs (FHIR's 1..1, or what the NEHR needs to keep it). Not here: a clinical
        /// resource's identifier (without one it is known by its id or fullUrl), a document's attachment data (a document
        /// without text is reported as not kept), and the dates and values FHIR leaves optional (an entry without its
        /// date, a result without a value, is reported as not kept: FeedEdgeCaseTests).
        /// </summary>
        private static readonly (int Entry, string Path)[] RequiredElements =
        [
            (PatientEntry, "identifier"), (PatientEntry, "identifier[0].system"), (PatientEntry, "identifier[0].value"), (PatientEntry, "name"), (PatientEntry, "gender"), (PatientEntry, "birthDate"),
            (Allergy, "code"), (Allergy, "code.text"), (Allergy, "patient"), (Allergy, "patient.reference"),
            (Immunization, "status"), (Immunization, "vaccineCode"), (Immunization, "vaccineCode.text"),
            (Immunization, "patient"), (Immunization, "patient.reference"), (Immunization, "occurrenceDateTime"),
            (Observation, "status"), (Observation, "code"), (Observation, "subject"), (Observation, "subject.reference"),
            (Condition, "code"), (Condition, "code.text"), (Condition, "subject"), (Condition, "subject.reference"),
            (Encounter, "status"), (Encounter, "class"), (Encounter, "subject"), (Encounter, "subject.reference"),
            (Document, "status"), (Document, "subject"), (Document, "subject.reference"),
            (Document, "content"), (Document, "content[0].attachment"),
            (Procedure, "status"), (Procedure, "code"), (Procedure, "code.text"), (Procedure, "subject"),
            (Procedure, "subject.reference"),
            (Medication, "status"), (Medication, "intent"), (Medication, "medicationCodeableConcept"),
            (Medication, "medicationCodeableConcept.text"), (Medication, "subject"), (Medication, "subject.reference"),
        ];

        private void Required()
        {
            const string c = "[required]";
            foreach (var (entry, path) in RequiredElements)
            {
                Mutate($"{c} {Types[entry]}.{path} removed", b => Remove(b, At(entry, path)));
            }

            Put(At(PatientEntry, "name[0]"), new JsonObject(), $"{c} Patient.name [{{}}] (an empty name)");
            Put(At(Document, "content[0].attachment"), new JsonObject(), $"{c} DocumentReference.content[0].attachment {{}} (empty)");
        }

        // ---------------------------------------------------------------- dates

        private static readonly (int Entry, string Path, string Kind)[] DatePlaces =
        [
            (PatientEntry, "birthDate", "date"), (Allergy, "recordedDate", "dateTime"), (Immunization, "occurrenceDateTime", "dateTime"),
            (Observation, "effectiveDateTime", "dateTime"), (Condition, "recordedDate", "dateTime"), (Encounter, "period.start", "dateTime"),
            (Encounter, "period.end", "dateTime"), (Document, "date", "instant"), (Procedure, "performedDateTime", "dateTime"), (Medication, "authoredOn", "dateTime"),
        ];

        private void Dates()
        {
            const string c = "[dates]";
            var values = new (string What, Func<JsonNode?> Value)[]
            {
                ("\"2024-02-30\" (no such day)", () => "2024-02-30"), ("\"2023-02-29\" (not a leap year)", () => "2023-02-29"), ("\"yesterday\"", () => "yesterday"),
                ("\"2024-13-01\" (month 13)", () => "2024-13-01"), ("\"24-01-01\" (two-digit year)", () => "24-01-01"), ("\"2024-1-1\" (no leading zeros)", () => "2024-1-1"),
                ("\"\" (empty)", () => ""), ("null", () => null), ("20240101 (a number)", () => 20240101), ("\"2024-01-01T25:00:00Z\" (hour 25)", () => "2024-01-01T25:00:00Z"),
                ("\"2024-01-01T10:00:00\" (time without offset)", () => "2024-01-01T10:00:00"), ("\"2999-01-01\" (in the future)", () => "2999-01-01"),
                ("\"0000-01-01\" (year zero)", () => "0000-01-01"), ("\"2024-02-30T10:00:00Z\" (no such day, with time)", () => "2024-02-30T10:00:00Z"),
                ("\"2024-01-01T10:00:00+15:00\" (offset beyond 14:00)", () => "2024-01-01T10:00:00+15:00"), ("\"01/02/2024\" (day/month/year)", () => "01/02/2024"),
            };
            foreach (var (entry, path, kind) in DatePlaces)
            {
                foreach (var (what, value) in values)
                {
                    Put(At(entry, path), value(), $"{c} {Types[entry]}.{path} = {what}");
                }

                if (kind == "instant")
                {
                    Put(At(entry, path), "2025-06-09", $"{c} {Types[entry]}.{path} = \"2025-06-09\" (a date where an instant is required)");
                    Put(At(entry, path), "2999-01-01T00:00:00Z", $"{c} {Types[entry]}.{path} = \"2999-01-01T00:00:00Z\" (in the future)");
                }

                if (kind == "date")
                {
                    Put(At(entry, path), "2024-01-01T10:00:00Z", $"{c} {Types[entry]}.{path} = \"2024-01-01T10:00:00Z\" (a dateTime where a date is required)");
                }
            }

            Put(At(Encounter, "period.end"), "2025-06-07T08:00:00+08:00", $"{c} Encounter.period.end before period.start");
            Mutate($"{c} Observation with effectiveDateTime and effectivePeriod (two effective[x])", b =>
                Set(b, At(Observation, "effectivePeriod"), new JsonObject { ["start"] = "2025-06-04T08:30:00+08:00" }));
            Mutate($"{c} Immunization with occurrenceDateTime and occurrenceString (two occurrence[x])", b => Set(b, At(Immunization, "occurrenceString"), "October 2025"));
            Mutate($"{c} Procedure with performedDateTime and performedString (two performed[x])", b => Set(b, At(Procedure, "performedString"), "last week"));
            Mutate($"{c} Immunization.occurrence (no type suffix)", b =>
            {
                Remove(b, At(Immunization, "occurrenceDateTime"));
                Set(b, At(Immunization, "occurrence"), "2025-10-01");
            });
            Mutate($"{c} Observation.effective (no type suffix)", b =>
            {
                Remove(b, At(Observation, "effectiveDateTime"));
                Set(b, At(Observation, "effective"), "2025-06-04T08:30:00+08:00");
            });
        }

        // ---------------------------------------------------------------- quantities

        private void Quantities()
        {
            const string c = "[quantities]";
            var value = At(Observation, "valueQuantity.value");
            Put(value, "5.4", $"{c} Observation.valueQuantity.value = \"5.4\" (a string)");
            Mutate($"{c} Observation.valueQuantity.value = 1e308", b => Set(b, value, Raw("1e308")));
            Mutate($"{c} Observation.valueQuantity.value = -1e308", b => Set(b, value, Raw("-1e308")));
            Mutate($"{c} Observation.valueQuantity.value = 1e400 (beyond a double)", b => Set(b, value, Raw("1e400")));
            Mutate($"{c} Observation.valueQuantity.value = 40 digits (beyond a decimal)", b => Set(b, value, Raw("1234567890123456789012345678901234567890")));
            Put(value, "NaN", $"{c} Observation.valueQuantity.value = \"NaN\"");
            Put(value, "Infinity", $"{c} Observation.valueQuantity.value = \"Infinity\"");
            Mutate($"{c} Observation.valueQuantity.value = NaN (bare token)", b => Set(b, value, Raw("NaN")));
            Mutate($"{c} Observation.valueQuantity.value = Infinity (bare token)", b => Set(b, value, Raw("Infinity")));
            Mutate($"{c} Observation.valueQuantity.value = 07.2 (leading zero)", b => Set(b, value, Raw("07.2")));
            Mutate($"{c} Observation.valueQuantity.value = .72 (no leading digit)", b => Set(b, value, Raw(".72")));
            Mutate($"{c} Observation.valueQuantity.value = 0x7 (hexadecimal)", b => Set(b, value, Raw("0x7")));
            Put(value, true, $"{c} Observation.valueQuantity.value = true");
            Put(value, null, $"{c} Observation.valueQuantity.value = null");
            Put(value, new JsonObject(), $"{c} Observation.valueQuantity.value = {{}}");
            Put(value, new JsonArray(), $"{c} Observation.valueQuantity.value = []");
            Put(At(Observation, "valueQuantity"), "5.4 %", $"{c} Observation.valueQuantity = \"5.4 %\" (a string)");
            Put(At(Observation, "valueQuantity"), 7.2m, $"{c} Observation.valueQuantity = 7.2 (a bare number)");
            Put(At(Observation, "valueQuantity"), new JsonObject(), $"{c} Observation.valueQuantity = {{}} (empty)");
            Put(At(Observation, "valueQuantity.comparator"), "about", $"{c} Observation.valueQuantity.comparator = \"about\" (not in the required binding)");
            Mutate($"{c} Observation with valueQuantity and valueString (two value[x])", b => Set(b, At(Observation, "valueString"), "7.2 %"));
            Mutate($"{c} Observation.value (no type suffix)", b =>
            {
                Remove(b, At(Observation, "valueQuantity"));
                Set(b, At(Observation, "value"), 7.2m);
            });
        }

        // ---------------------------------------------------------------- strings

        private static readonly (int Entry, string Path, bool CodeText)[] TextPlaces =
        [
            (PatientEntry, "name[0].family", false), (PatientEntry, "name[0].given[0]", false), (PatientEntry, "identifier[0].value", false),
            (Allergy, "code.text", true), (Immunization, "vaccineCode.text", true), (Observation, "code.text", true), (Condition, "code.text", true),
            (Encounter, "type[0].text", false), (Procedure, "code.text", true), (Medication, "medicationCodeableConcept.text", true),
            (Allergy, "identifier[0].value", false), (Immunization, "identifier[0].value", false), (Observation, "identifier[0].value", false),
            (Condition, "identifier[0].value", false), (Encounter, "identifier[0].value", false), (Document, "identifier[0].value", false),
            (Procedure, "identifier[0].value", false), (Medication, "identifier[0].value", false),
        ];

        private void Strings()
        {
            const string c = "[strings]";
            var huge = new string('x', 2_000_000);
            foreach (var (entry, path, codeText) in TextPlaces)
            {
                if (entry == PatientEntry && path == "name[0].given[0]" && p.Given.Length == 0)
                {
                    continue;
                }

                var at = At(entry, path);
                var label = $"{Types[entry]}.{path}";
                var original = Get(Base(), at)!.GetValue<string>();
                Mutate($"{c} {label} = \"\\ud800\" (a lone high surrogate)", b => Set(b, at, Raw("\"\\ud800\"")));
                Mutate($"{c} {label} = \"\\udfff\" (a lone low surrogate)", b => Set(b, at, Raw("\"\\udfff\"")));
                Mutate($"{c} {label} with a lone high surrogate inside", b => Set(b, at, Raw(JsonSerializer.Serialize(original[..1], Options)[..^1] + "\\ud800" + JsonSerializer.Serialize(original[1..], Options)[1..])));
                Mutate($"{c} {label} = \"\\udc00\\ud800\" (a surrogate pair in the wrong order)", b => Set(b, at, Raw("\"\\udc00\\ud800\"")));
                Put(at, "", $"{c} {label} = \"\" (empty)");
                Put(at, true, $"{c} {label} = true (a boolean)");
                Put(at, new JsonObject { ["value"] = original }, $"{c} {label} = {{\"value\": ...}} (an object)");
                Put(at, 4.5m, $"{c} {label} = 4.5 (a number)");
                Mutate($"{c} {label} with a NUL character", b => Set(b, at, original + "\0"));
                if (codeText)
                {
                    Put(at, huge, $"{c} {label} = {huge.Length:N0} characters");
                }
            }

            Put(At(PatientEntry, "name[0].family"), huge, $"{c} Patient.name[0].family = {huge.Length:N0} characters");
            Put(At(Condition, "identifier[0].value"), huge, $"{c} Condition.identifier[0].value = {huge.Length:N0} characters");
        }

        // ---------------------------------------------------------------- base64

        private void Base64()
        {
            const string c = "[base64]";
            var data = At(Document, "content[0].attachment.data");
            foreach (var (what, value) in new (string, JsonNode?)[]
            {
                ("\"!!!notbase64\"", "!!!notbase64"), ("\"abc\" (bad padding)", "abc"), ("\"YWJj=\" (bad padding)", "YWJj="), ("\"YQ\" (unpadded)", "YQ"),
                ("\"====\" (padding only)", "===="), ("42 (a number)", 42), ("\"\" (empty)", ""), ("[\"UmVm\"] (an array)", new JsonArray("UmVm")),
                ("a data: URL", "data:text/plain;base64," + Convert.ToBase64String(Encoding.UTF8.GetBytes(DocumentText))),
                ("the text itself, not base64", DocumentText),
                ("base64url alphabet (- and _)", "-_-_"),
            })
            {
                Put(data, value, $"{c} DocumentReference.content[0].attachment.data = {what}");
            }
        }

        // ---------------------------------------------------------------- identity

        private void Identity()
        {
            const string c = "[identity]";
            var identifier = At(PatientEntry, "identifier");
            JsonObject Nric(string system, string value) => new() { ["system"] = system, ["value"] = value };

            Put(identifier, new JsonArray(Nric("http://example.org/fhir/sid/mrn", "MRN-0001")), $"{c} Patient without the NRIC identifier (an MRN only)");
            Put(identifier, new JsonArray(Nric("http://nehr.moh.gov.sg/fhir/sid/NRIC", p.Nric)), $"{c} Patient NRIC identifier system in the wrong case");
            Put(identifier, new JsonArray(Nric(NricSystem + "/", p.Nric)), $"{c} Patient NRIC identifier system with a trailing slash");
            Put(identifier, new JsonArray(Nric(NricSystem, "S1234567A")), $"{c} Patient NRIC S1234567A (wrong check letter)");
            Put(identifier, new JsonArray(Nric(NricSystem, WrongCheckLetter)), $"{c} Patient NRIC {WrongCheckLetter} (the patient's own with a wrong check letter)");
            Put(identifier, new JsonArray(Nric(NricSystem, "X" + p.Nric[1..])), $"{c} Patient NRIC with series letter X");
            Put(identifier, new JsonArray(Nric(NricSystem, p.Nric[..7] + p.Nric[8..])), $"{c} Patient NRIC of 8 characters");
            Put(identifier, new JsonArray(Nric(NricSystem, p.Nric + "0")), $"{c} Patient NRIC of 10 characters");
            Put(identifier, new JsonArray(Nric(NricSystem, "S12345\u0663\u0667D")), $"{c} Patient NRIC with Arabic-Indic digits");
            Put(identifier, new JsonArray(Nric(NricSystem, p.Nric), Nric(NricSystem, Other)), $"{c} Patient with two different valid NRICs ({p.Nric}, {Other})");
            Put(identifier, new JsonArray(Nric(NricSystem, Other), Nric(NricSystem, p.Nric)), $"{c} Patient with two different valid NRICs ({Other}, {p.Nric})");
            Put(identifier, new JsonArray(Nric(NricSystem, p.Nric), Nric(NricSystem, "S1234567A")), $"{c} Patient with a valid NRIC and an invalid one");

            Mutate($"{c} two Patient entries with one fullUrl and different NRICs", b =>
                EntriesOf(b).Insert(1, Entry(PatientEntry, PatientResource(Other), "PUT", $"Patient?identifier={NricSystem}|{Other}")));
            Mutate($"{c} two Patient entries with one fullUrl and different NRICs, the other first", b =>
                EntriesOf(b).Insert(0, Entry(PatientEntry, PatientResource(Other), "PUT", $"Patient?identifier={NricSystem}|{Other}")));
            Mutate($"{c} no Patient entry; every clinical entry references the patient's NRIC by identifier", b =>
            {
                for (var i = 1; i < EntryCount; i++)
                {
                    Set(b, At(i, SubjectOf(i)), new JsonObject { ["identifier"] = Nric(NricSystem, p.Nric) });
                }

                EntriesOf(b).RemoveAt(PatientEntry);
            });
            Mutate($"{c} no Patient entry; every clinical entry references the missing Patient entry's fullUrl", b => EntriesOf(b).RemoveAt(PatientEntry));
        }

        // ---------------------------------------------------------------- references

        private void References()
        {
            const string c = "[references]";
            for (var i = 1; i < EntryCount; i++)
            {
                var at = At(i, SubjectOf(i));
                var label = $"{Types[i]}.{SubjectOf(i)}";
                var other = i == Condition ? Allergy : Condition;
                Put(at, null, $"{c} {label} = null");
                Put(at, Reference(Dangling(i)), $"{c} {label} dangling (an urn:uuid in no entry)");
                Put(at, Reference(FullUrl(other)), $"{c} {label} points to the {Types[other]} entry, not the Patient");
                Put(at, Reference(FullUrl(i)), $"{c} {label} points to its own entry");
                Put(at, Reference("Patient/123"), $"{c} {label} = Patient/123 (not in the bundle)");
                Put(at, Reference("https://other.example.org/fhir/Patient/1"), $"{c} {label} = an absolute URL on another server");
                Put(at, Reference(""), $"{c} {label}.reference = \"\"");
                Put(at, new JsonObject { ["display"] = $"{p.Family} {p.Given}".Trim() }, $"{c} {label} with only a display");
                foreach (var nric in _others)
                {
                    Put(at, new JsonObject { ["identifier"] = new JsonObject { ["system"] = NricSystem, ["value"] = nric } },
                        $"{c} {label} by the NRIC {nric} of a person with no Patient entry");
                }

                Put(at, new JsonObject { ["identifier"] = new JsonObject { ["system"] = NricSystem, ["value"] = "S1234567A" } }, $"{c} {label} by an NRIC with a wrong check letter");
                Put(at, new JsonObject { ["identifier"] = new JsonObject { ["system"] = "http://example.org/fhir/sid/mrn", ["value"] = p.Nric } },
                    $"{c} {label} by the patient's NRIC under another identifier system");
                Put(at, new JsonObject { ["reference"] = Dangling(100 + i), ["identifier"] = new JsonObject { ["system"] = NricSystem, ["value"] = p.Nric } },
                    $"{c} {label} dangling urn:uuid plus the patient's NRIC identifier");
                Put(at, new JsonObject { ["reference"] = FullUrl(PatientEntry), ["identifier"] = new JsonObject { ["system"] = NricSystem, ["value"] = Other } },
                    $"{c} {label} the Patient entry plus another person's NRIC identifier");
            }

            // Duplicate fullUrls between any two entries.
            for (var i = 0; i < EntryCount; i++)
            {
                for (var j = i + 1; j < EntryCount; j++)
                {
                    var (first, second) = (i, j);
                    Put($"entry[{second}].fullUrl", FullUrl(first), $"{c} duplicate fullUrl: the {Types[second]} entry has the {Types[first]} entry's");
                }
            }

            Put($"entry[{PatientEntry}].fullUrl", FullUrl(Condition), $"{c} duplicate fullUrl: the Patient entry has the Condition entry's");

            // Dangling or wrongly typed urn:uuid references to kept resources.
            var links = new (int Entry, string Path, string What)[]
            {
                (Allergy, "encounter", "encounter"), (Immunization, "encounter", "encounter"), (Observation, "encounter", "encounter"), (Condition, "encounter", "encounter"),
                (Procedure, "encounter", "encounter"), (Medication, "encounter", "encounter"), (Document, "context.encounter", "context.encounter[0]"),
                (Immunization, "reasonReference", "reasonReference[0]"), (Procedure, "reasonReference", "reasonReference[0]"),
                (Medication, "reasonReference", "reasonReference[0]"), (Encounter, "reasonReference", "reasonReference[0]"),
                (Observation, "hasMember", "hasMember[0]"), (Observation, "derivedFrom", "derivedFrom[0]"),
            };
            var n = 200;
            foreach (var (entry, path, what) in links)
            {
                var single = what == path;
                JsonNode Link(string url) => single ? Reference(url) : new JsonArray(Reference(url));
                var dangling = Dangling(n++);
                Mutate($"{c} {Types[entry]}.{what} dangling (an urn:uuid in no entry)", b =>
                {
                    if (path == "context.encounter")
                    {
                        Set(b, At(entry, "context"), new JsonObject { ["encounter"] = new JsonArray(Reference(dangling)) });
                    }
                    else
                    {
                        Set(b, At(entry, path), Link(dangling));
                    }
                });
            }

            foreach (var entry in new[] { Allergy, Immunization, Observation, Condition, Procedure, Medication })
            {
                Put(At(entry, "encounter"), Reference(FullUrl(PatientEntry)), $"{c} {Types[entry]}.encounter points to the Patient entry");
            }

            Put(At(Document, "context"), new JsonObject { ["encounter"] = new JsonArray(Reference(FullUrl(PatientEntry))) }, $"{c} DocumentReference.context.encounter[0] points to the Patient entry");
        }

        // ---------------------------------------------------------------- codes outside required bindings

        private void Bindings()
        {
            const string c = "[bindings]";
            foreach (var (entry, path, value) in new (int, string, string)[]
            {
                (Observation, "status", "done"), (Observation, "status", "FINAL"), (Observation, "status", "Final"), (Observation, "status", "final "),
                (Immunization, "status", "given"), (Immunization, "status", "complete"), (Immunization, "status", "Completed"), (Immunization, "status", " completed"),
                (Encounter, "status", "over"), (Encounter, "status", "completed"), (Encounter, "status", "Finished"),
                (PatientEntry, "gender", "M"), (PatientEntry, "gender", "F"), (PatientEntry, "gender", "yes"), (PatientEntry, "gender", p.Gender.ToUpperInvariant()),
                (PatientEntry, "gender", "Female"), (PatientEntry, "gender", "woman"),
                (Procedure, "status", "done"), (Procedure, "status", "complete"),
                (Medication, "status", "done"), (Medication, "status", "Active"), (Medication, "intent", "prescription"), (Medication, "intent", "Order"),
                (Document, "status", "final"), (Document, "status", "Current"),
                (Allergy, "criticality", "severe"), (Allergy, "criticality", "HIGH"),
                (Document, "content[0].attachment.contentType", "text plain"),
            })
            {
                Put(At(entry, path), value, $"{c} {Types[entry]}.{path} = \"{value}\"");
            }
        }

        // ---------------------------------------------------------------- content types

        private void ContentTypes()
        {
            const string c = "[content type]";
            var json = Encoding.UTF8.GetBytes(BaseJson());
            foreach (var type in new[]
            {
                "text/plain", "application/xml", "application/fhir+xml", "multipart/form-data; boundary=nehr", "application/x-www-form-urlencoded",
                "application/octet-stream", "text/html", "application/fhir+yaml",
            })
            {
                Add($"{c} the valid bundle as {type}", json, type);
            }

            Add($"{c} the valid bundle with no content type", json, "");
            Add($"{c} FHIR XML as application/fhir+xml", Encoding.UTF8.GetBytes(Xml(prolog: true)), "application/fhir+xml");
        }

        // ---------------------------------------------------------------- every element: null, another JSON type, another cardinality

        private void EveryElement()
        {
            var places = new List<string>();
            var bundle = Base();
            for (var i = 0; i < EntryCount; i++)
            {
                var entry = bundle["entry"]![i]!.AsObject();
                foreach (var (key, value) in entry)
                {
                    if (key == "resource")
                    {
                        // Whole resources are the [entries] class. The Observation's category decides whether it is kept
                        // at all, so it is left alone.
                        Walk(value!, At(i, ""), places, skip: i == Observation ? "category" : null);
                    }
                    else
                    {
                        places.Add($"entry[{i}].{key}");
                        Walk(value!, $"entry[{i}].{key}", places, skip: null);
                    }
                }
            }

            foreach (var path in places)
            {
                var original = Get(Base(), path);
                var label = Label(path);
                Mutate($"[null] {label} = null", b => Set(b, path, null), skipIfSameBody: true);
                var (what, wrong) = WrongType(original!);
                Mutate($"[wrong type] {label} = {Shorten(Show(wrong()))} ({what})", b => Set(b, path, wrong()), skipIfSameBody: true);
                if (original is JsonArray)
                {
                    Mutate($"[cardinality] {label} = [] (an empty array)", b => Set(b, path, new JsonArray()), skipIfSameBody: true);
                }
                else
                {
                    Mutate($"[cardinality] {label} wrapped in an array", b => Set(b, path, new JsonArray(original!.DeepClone())), skipIfSameBody: true);
                }
            }
        }

        private static void Walk(JsonNode node, string path, List<string> places, string? skip)
        {
            if (node is JsonObject obj)
            {
                foreach (var (key, value) in obj)
                {
                    if (key == skip)
                    {
                        continue;
                    }

                    var child = $"{path}.{key}";
                    places.Add(child);
                    Walk(value!, child, places, skip: null);
                }
            }
            else if (node is JsonArray array)
            {
                for (var i = 0; i < array.Count; i++)
                {
                    var child = $"{path}[{i}]";
                    places.Add(child);
                    Walk(array[i]!, child, places, skip: null);
                }
            }
        }

        /// <summary>A value of another JSON type than the original, the way a careless sender gets it wrong.</summary>
        private static (string What, Func<JsonNode?> Value) WrongType(JsonNode original)
        {
            switch (original)
            {
                case JsonArray array:
                    return ("the first item without its array", () => array[0]!.DeepClone());
                case JsonObject obj:
                    var strings = obj.Where(kv => kv.Value is JsonValue v && v.GetValueKind() == JsonValueKind.String).ToList();
                    if (strings.Count == 1)
                    {
                        var text = strings[0].Value!.GetValue<string>();
                        return ("a string for an object", () => text);
                    }

                    return ("a string for an object", () => "x");
                default:
                    var kind = original.GetValueKind();
                    return kind == JsonValueKind.Number
                        ? ("a string for a number", () => original.ToJsonString())
                        : ("a number for a string", () => 42);
            }
        }
    }
}
