using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Nehr.Core.Records;
using FhirResource = Hl7.Fhir.Model.Resource;

namespace Nehr.Core.Contribution;

/// <summary>
/// Reads a contribution: a FHIR R4 Bundle (JSON) of type transaction or batch. First the bundle's own structure, with
/// System.Text.Json (what is not an object, a bundle without entries, two entries with one fullUrl: the bundle is
/// refused whole); then each entry on its own. Resources the NEHR keeps are parsed by the Firely SDK in its strict mode
/// (the structure of the base R4 definitions: types, primitive formats, required codes, no unknown elements) and read
/// into entries; what the NEHR does not keep (vital signs, claims, practitioners…) is reported as not kept and never
/// parsed further, so a fault in it refuses nothing. Every problem names its place in the bundle.
/// </summary>
public static partial class FhirBundleReader
{
    /// <summary>The identifier system of a Singapore NRIC/FIN in NEHR contributions.</summary>
    public const string NricSystem = "http://nehr.moh.gov.sg/fhir/sid/nric";

    /// <summary>The extension the population register gives a person's race in (valueCode Chinese, Malay, Indian or Others).</summary>
    public const string RaceExtension = "http://nehr.moh.gov.sg/fhir/StructureDefinition/race";

    /// <summary>
    /// The population register's parent–child link, on the child's Patient (repeated for each parent): valueIdentifier,
    /// the parent's NRIC/FIN (system <see cref="NricSystem"/>). The register sends every parent of the person each time.
    /// </summary>
    public const string ParentExtension = "http://nehr.moh.gov.sg/fhir/StructureDefinition/legal-parent";

    public const string ObservationCategorySystem = "http://terminology.hl7.org/CodeSystem/observation-category";

    /// <summary>Entries in one bundle at most (a lifetime's export of one patient fits).</summary>
    public const int MaxEntries = 25_000;

    /// <summary>The resource types the NEHR keeps (Observation and DiagnosticReport only of the laboratory and imaging categories).</summary>
    public static readonly IReadOnlyList<string> KeptTypes =
    [
        "Patient", "AllergyIntolerance", "Immunization", "MedicationRequest", "MedicationStatement", "MedicationDispense",
        "Observation", "DiagnosticReport", "Condition", "Procedure", "Encounter", "Composition", "DocumentReference",
    ];

    private static readonly FhirJsonDeserializer Deserializer = new(new DeserializerSettings().UsingMode(DeserializationMode.Strict));

    // FHIR JSON has no duplicate properties; the last of two would silently win.
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64, AllowDuplicateProperties = false };

    /// <summary>The resource types of FHIR R4, exactly as written (the SDK's own lookup ignores case).</summary>
    private static readonly HashSet<string> ResourceTypes = new(ModelInfo.SupportedResources, StringComparer.Ordinal);

    private static readonly HashSet<string> Methods = new(StringComparer.Ordinal) { "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH" };

    /// <summary>Reads a bundle posted by a system of the given kind.</summary>
    public static BundleContent Read(ReadOnlyMemory<byte> body, SystemKind kind, DateTime nowUtc)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, DocumentOptions);
        }
        catch (JsonException e)
        {
            // The parser's own words say what is wrong (its position is given as line and position, counted from 1).
            var what = e.Message;
            var position = what.IndexOf(" LineNumber:", StringComparison.Ordinal);
            what = Printable(position >= 0 ? what[..position] : what, 160);
            return BundleContent.Refused(new ContributionIssue(IssueKind.Malformed, "Bundle",
                $"The body is not valid JSON{(e.LineNumber is { } line ? $" (line {line + 1}, position {e.BytePositionInLine + 1})" : string.Empty)}: {what} Post one FHIR R4 Bundle in JSON, each property once in an object."));
        }

        using (document)
        {
            try
            {
                return Read(document.RootElement, kind, nowUtc);
            }
            catch (InvalidOperationException e) when (e.Message.Contains("UTF-16", StringComparison.Ordinal))
            {
                // A string that is not valid Unicode (a lone surrogate) in the bundle's own elements.
                return BundleContent.Refused(new ContributionIssue(IssueKind.Malformed, "Bundle", "The bundle holds text that is not valid Unicode (a lone surrogate)."));
            }
        }
    }

    private static BundleContent Read(JsonElement root, SystemKind kind, DateTime nowUtc)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return BundleContent.Refused(new ContributionIssue(IssueKind.Malformed, "Bundle",
                $"The body is a JSON {Describe(root.ValueKind)}, not a resource. Post one FHIR R4 Bundle (a JSON object with \"resourceType\": \"Bundle\")."));
        }

        var resourceType = root.TryGetProperty("resourceType", out var rt) && rt.ValueKind == JsonValueKind.String ? rt.GetString() : null;
        if (resourceType != "Bundle")
        {
            return BundleContent.Refused(new ContributionIssue(IssueKind.Malformed, resourceType ?? "Bundle", resourceType is null
                ? "The body has no resourceType. Post a FHIR R4 Bundle of type transaction or batch."
                : $"Post a Bundle, not a {Printable(resourceType)}."));
        }

        var type = root.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        if (type is not ("transaction" or "batch"))
        {
            return BundleContent.Refused(new ContributionIssue(IssueKind.Malformed, "Bundle.type",
                $"A contribution is a Bundle of type transaction or batch{(type is null ? string.Empty : $", not \"{Printable(type)}\"")}."));
        }

        if (!root.TryGetProperty("entry", out var entries) || entries.ValueKind == JsonValueKind.Array && entries.GetArrayLength() == 0)
        {
            return BundleContent.Refused(new ContributionIssue(IssueKind.Malformed, "Bundle.entry", "The bundle has no entries: there is nothing to contribute."));
        }

        if (entries.ValueKind != JsonValueKind.Array)
        {
            return BundleContent.Refused(new ContributionIssue(IssueKind.Malformed, "Bundle.entry", $"Bundle.entry is a JSON {Describe(entries.ValueKind)}; it must be an array of entries."));
        }

        var count = entries.GetArrayLength();
        if (count > MaxEntries)
        {
            return BundleContent.Refused(new ContributionIssue(IssueKind.TooLarge, "Bundle.entry", $"A bundle has at most {MaxEntries:N0} entries; this one has {count:N0}. Split it."));
        }

        // The envelope of every entry: its fullUrl and its resource, before any resource is read.
        var raw = new List<RawEntry>(count);
        var issues = new List<ContributionIssue>();
        var byFullUrl = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var element in entries.EnumerateArray())
        {
            var index = raw.Count;
            var at = $"Bundle.entry[{index}]";
            if (element.ValueKind != JsonValueKind.Object)
            {
                issues.Add(new(IssueKind.Malformed, at, $"An entry is a JSON {Describe(element.ValueKind)}; it must be an object with a resource."));
                raw.Add(new RawEntry(index, null, null, default));
                continue;
            }

            string? fullUrl = null;
            if (element.TryGetProperty("fullUrl", out var url))
            {
                if (url.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(url.GetString()))
                {
                    issues.Add(new(IssueKind.Malformed, at + ".fullUrl", "fullUrl must be a non-empty string."));
                }
                else
                {
                    fullUrl = url.GetString()!;
                    if (byFullUrl.TryGetValue(fullUrl, out var first))
                    {
                        issues.Add(new(IssueKind.Malformed, at + ".fullUrl",
                            $"Entries {first} and {index} have the same fullUrl: every entry of a bundle has its own. Nothing was filed."));
                    }
                    else
                    {
                        byFullUrl[fullUrl] = index;
                    }
                }
            }

            var resource = element.TryGetProperty("resource", out var r) ? r : default;
            raw.Add(new RawEntry(index, fullUrl, Request(element, out var requestProblem), resource, requestProblem));
        }

        if (issues.Count > 0)
        {
            return BundleContent.Refused([.. issues]);
        }

        var context = new BundleContext(raw, byFullUrl, kind, nowUtc);
        var read = new ReadEntry[raw.Count];

        // The Patients first, so that any entry can name its person wherever they are in the bundle.
        foreach (var entry in raw)
        {
            if (TypeOf(entry) == "Patient")
            {
                read[entry.Index] = RequestProblem(entry, "Patient") is { } problem ? Failed(entry, "Patient", problem) : PatientReader.Read(entry, context);
                context.People[entry.Index] = read[entry.Index];
            }
        }

        foreach (var entry in raw)
        {
            read[entry.Index] ??= ReadOther(entry, context);
        }

        // One source identifier twice in a bundle: the second would silently overwrite the first. Of one resource type,
        // that is an error (one resource, one entry). Of two types filed as one kind for the same person, both to be
        // kept (a Composition and the DocumentReference of the same document), the source says both are one thing: the
        // first is kept and the second reported as not kept, naming the first. Anything else (another person, a
        // withdrawal) is an error.
        var seen = new Dictionary<(EntryKind, string), int>();
        for (var i = 0; i < read.Length; i++)
        {
            if (read[i].Draft is { } draft)
            {
                if (seen.TryGetValue((draft.Kind, draft.SourceIdentifierHash), out var first))
                {
                    var sameThing = read[first].ResourceType != read[i].ResourceType && read[first].Role == EntryRole.Clinical
                        && read[i].Role == EntryRole.Clinical && read[first].Draft!.PersonEntry == draft.PersonEntry;
                    read[i] = sameThing
                        ? read[i] with
                        {
                            Role = EntryRole.NotKept,
                            Draft = null,
                            Issues = [new(IssueKind.NotKept, $"Bundle.entry[{i}].resource.identifier",
                                $"Entry {first} (a {read[first].ResourceType}) has the same source identifier and is kept for it: one identifier, one entry.")],
                        }
                        : read[i] with
                        {
                            Role = EntryRole.Failed,
                            Draft = null,
                            Issues = [new(IssueKind.Invalid, $"Bundle.entry[{i}].resource.identifier", $"Entry {first} has the same source identifier: one resource, one entry.")],
                        };
                }
                else
                {
                    seen[(draft.Kind, draft.SourceIdentifierHash)] = i;
                }
            }
        }

        return new BundleContent(type, read, []);
    }

    /// <summary>
    /// The entry's request (FHIR: every entry of a transaction or batch has one, bdl-3): its method, or the problem
    /// with it, which refuses the entry.
    /// </summary>
    private static string? Request(JsonElement element, out string? problem)
    {
        problem = null;
        if (!element.TryGetProperty("request", out var request) || request.ValueKind != JsonValueKind.Object)
        {
            problem = "Every entry of a transaction or batch has its request (method and url).";
            return null;
        }

        var method = request.TryGetProperty("method", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
        if (method is null || !Methods.Contains(method))
        {
            problem = method is null
                ? "The entry's request has no method."
                : $"request.method \"{Printable(method)}\" is not an HTTP verb of FHIR (GET, HEAD, POST, PUT, DELETE, PATCH).";
            return null;
        }

        if (!request.TryGetProperty("url", out var url) || url.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(url.GetString()))
        {
            problem = "The entry's request has no url.";
            return null;
        }

        return method;
    }

    /// <summary>What is wrong with the entry's request for a resource to keep: a bad request, or a method other than POST or PUT.</summary>
    private static ContributionIssue? RequestProblem(RawEntry entry, string type)
    {
        var at = $"Bundle.entry[{entry.Index}].request";
        return entry.RequestProblem is { } problem ? new ContributionIssue(IssueKind.Malformed, at, problem)
            : entry.Method is "POST" or "PUT" ? null
            : new ContributionIssue(IssueKind.NotSupported, at + ".method", entry.Method == "DELETE"
                ? "The NEHR does not delete: send the resource again with status entered-in-error to withdraw it."
                : $"The NEHR takes a {type} sent with POST or PUT, not {entry.Method}{(entry.Method == "PATCH" ? ": send the whole resource" : string.Empty)}.");
    }

    private static ReadEntry ReadOther(RawEntry entry, BundleContext context)
    {
        var at = $"Bundle.entry[{entry.Index}]";
        if (entry.RequestProblem is { } requestProblem)
        {
            return Failed(entry, TypeOf(entry), new ContributionIssue(IssueKind.Malformed, at + ".request", requestProblem));
        }

        if (entry.Resource.ValueKind == JsonValueKind.Undefined || entry.Resource.ValueKind == JsonValueKind.Null)
        {
            return entry.Method is "DELETE"
                ? Failed(entry, null, new ContributionIssue(IssueKind.NotSupported, at + ".request", "The NEHR does not delete: send the resource again with status entered-in-error to withdraw it."))
                : Failed(entry, null, new ContributionIssue(IssueKind.Malformed, at + ".resource", "The entry has no resource."));
        }

        if (entry.Resource.ValueKind != JsonValueKind.Object)
        {
            return Failed(entry, null, new ContributionIssue(IssueKind.Malformed, at + ".resource", $"The entry's resource is a JSON {Describe(entry.Resource.ValueKind)}, not a resource."));
        }

        var type = TypeOf(entry);
        if (type is null)
        {
            return Failed(entry, null, new ContributionIssue(IssueKind.Malformed, at + ".resource.resourceType", "The resource has no resourceType."));
        }

        if (!ResourceTypes.Contains(type) || ModelInfo.GetTypeForFhirType(type) is not { IsAbstract: false })
        {
            return Failed(entry, type, new ContributionIssue(IssueKind.Malformed, at + ".resource.resourceType", $"{Printable(type)} is not a FHIR R4 resource type."));
        }

        if (RequestProblem(entry, type) is { } methodProblem)
        {
            return Failed(entry, type, methodProblem);
        }

        if (context.Kind == SystemKind.PopulationRegister)
        {
            return NotKept(entry, type, $"{type} is not taken from the population register, whose feed carries persons (Patient) only: not kept.");
        }

        if (!KeptTypes.Contains(type))
        {
            return NotKept(entry, type, $"{type} is not part of the NEHR's selected copy: not kept.");
        }

        var issues = new List<ContributionIssue>();
        var resource = Parse(entry, issues, out var partial);
        if (resource is null)
        {
            // An Observation of another category (vital signs…) is not kept, so its faults refuse nothing; unless the fault
            // is in its category, which is what decides.
            return partial is not null && !issues.Any(i => i.Location.Contains("category", StringComparison.Ordinal))
                && ClinicalReader.NotKeptCategory(partial) is { } why
                ? NotKept(entry, type, why)
                : new ReadEntry(entry.Index, type, EntryRole.Failed, issues);
        }

        return ClinicalReader.Read(entry, resource, context);
    }

    /// <summary>Parses one resource with the Firely SDK in strict mode; problems are reported at their place in the bundle.</summary>
    internal static FhirResource? Parse(RawEntry entry, List<ContributionIssue> issues) => Parse(entry, issues, out _);

    /// <summary>As <see cref="Parse(RawEntry, List{ContributionIssue})"/>, with what could be read of a resource that failed.</summary>
    internal static FhirResource? Parse(RawEntry entry, List<ContributionIssue> issues, out FhirResource? partial)
    {
        partial = null;
        var at = $"Bundle.entry[{entry.Index}].resource";
        if (FhirJsonRules.Problem(entry.Resource) is { } problem)
        {
            issues.Add(new ContributionIssue(IssueKind.Malformed, at + problem.Path, problem.Message));
            return null;
        }

        try
        {
            var reader = new Utf8JsonReader(JsonMarshal.GetRawUtf8Value(entry.Resource), new JsonReaderOptions { MaxDepth = 64 });
            return Deserializer.DeserializeResource(ref reader);
        }
        catch (DeserializationFailedException e)
        {
            // What could be read, only when every fault is reported (and so known not to be in what decides).
            partial = e.Exceptions.Count <= 10 ? e.PartialResult as FhirResource : null;
            foreach (var failure in e.Exceptions.Take(10))
            {
                issues.Add(FromFirely(failure.Message, at));
            }
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or NotSupportedException or ArgumentException
            or OverflowException or JsonException or Hl7.Fhir.Utility.CodedException)
        {
            issues.Add(FromFirely(e is InvalidOperationException && e.Message.Contains("UTF-16", StringComparison.Ordinal)
                ? "The resource holds text that is not valid Unicode (a lone surrogate)."
                : e.Message, at));
        }

        if (issues.Count == 0)
        {
            issues.Add(new(IssueKind.Malformed, at, "The resource could not be read as FHIR R4."));
        }

        return null;
    }

    /// <summary>Firely says "… At Observation.effective, line 1, position 100.": the place becomes the entry's.</summary>
    private static ContributionIssue FromFirely(string message, string at)
    {
        var match = FirelyLocation().Match(message);
        if (!match.Success)
        {
            return new(IssueKind.Malformed, at, message);
        }

        var path = match.Groups["path"].Value;
        var dot = path.IndexOf('.', StringComparison.Ordinal);
        var location = dot < 0 ? at : at + path[dot..];
        return new(IssueKind.Malformed, location, message[..match.Index].TrimEnd());
    }

    [GeneratedRegex(@"\s*At (?<path>[A-Za-z$][^,\s]*), line \d+, position \d+\.?\s*$")]
    private static partial Regex FirelyLocation();

    internal static string? TypeOf(RawEntry entry) =>
        entry.Resource.ValueKind == JsonValueKind.Object && entry.Resource.TryGetProperty("resourceType", out var t) && t.ValueKind == JsonValueKind.String
            ? t.GetString()
            : null;

    internal static ReadEntry Failed(RawEntry entry, string? type, params ContributionIssue[] issues) => new(entry.Index, type, EntryRole.Failed, issues);

    internal static ReadEntry NotKept(RawEntry entry, string type, string why) =>
        new(entry.Index, type, EntryRole.NotKept, [new(IssueKind.NotKept, $"Bundle.entry[{entry.Index}].resource", why)]);

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Null => "null",
        _ => "object",
    };

    /// <summary>A value of the sender's, echoed in an answer: short and printable.</summary>
    public static string Printable(string value, int max = 60)
    {
        var text = new string(value.Take(max).Select(c => char.IsControl(c) || char.IsSurrogate(c) ? '?' : c).ToArray());
        return value.Length > max ? text + "…" : text;
    }
}

/// <summary>One entry's envelope: its place, fullUrl, request method (or what is wrong with its request) and resource (not yet read).</summary>
internal sealed record RawEntry(int Index, string? FullUrl, string? Method, JsonElement Resource, string? RequestProblem = null);

/// <summary>
/// What FHIR's JSON forbids and the SDK lets through: an empty string anywhere (FHIR: "empty values are not allowed"),
/// and control characters (U+0000 to U+001F but tab, line feed and carriage return) in strings.
/// </summary>
internal static class FhirJsonRules
{
    public static (string Path, string Message)? Problem(JsonElement resource)
    {
        var raw = JsonMarshal.GetRawUtf8Value(resource);
        for (var i = 0; i + 5 < raw.Length; i++)
        {
            // In the raw JSON a control character can only be an escape: \u0000 to \u001F.
            if (raw[i] == (byte)'\\' && raw[i + 1] == (byte)'u' && raw[i + 2] == (byte)'0' && raw[i + 3] == (byte)'0' && raw[i + 4] is (byte)'0' or (byte)'1')
            {
                var code = Convert.ToInt32(System.Text.Encoding.ASCII.GetString(raw.Slice(i + 2, 4)), 16);
                if (code is not (0x09 or 0x0A or 0x0D))
                {
                    return (string.Empty, $"The resource holds a control character (U+{code:X4}) in a string; FHIR strings hold text only.");
                }
            }
            else if (raw[i] == (byte)'\\')
            {
                i++; // an escaped character: not the start of an escape
            }
        }

        return EmptyAt(resource) is { } path
            ? (path, "An element is an empty string; FHIR has no empty values: leave the element out.")
            : null;
    }

    /// <summary>The path (below the resource) of the first empty string, or null; built only for the one found.</summary>
    private static string? EmptyAt(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String when element.ValueEquals(ReadOnlySpan<byte>.Empty):
                return string.Empty;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (EmptyAt(property.Value) is { } below)
                    {
                        return $".{property.Name}{below}";
                    }
                }

                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (EmptyAt(item) is { } below)
                    {
                        return $"[{i}]{below}";
                    }

                    i++;
                }

                break;
        }

        return null;
    }
}

/// <summary>What the readers of one bundle share: every entry's envelope, the fullUrls, the Patients read so far.</summary>
internal sealed class BundleContext(IReadOnlyList<RawEntry> entries, IReadOnlyDictionary<string, int> byFullUrl, SystemKind kind, DateTime nowUtc)
{
    public IReadOnlyList<RawEntry> Entries { get; } = entries;

    public IReadOnlyDictionary<string, int> ByFullUrl { get; } = byFullUrl;

    public SystemKind Kind { get; } = kind;

    public DateTime NowUtc { get; } = nowUtc;

    private const int Ambiguous = -1;

    private Dictionary<(string Type, string Id), int>? _byTypeAndId;

    /// <summary>The Patient entries, by their place in the bundle.</summary>
    public Dictionary<int, ReadEntry> People { get; } = [];

    /// <summary>The entry a reference points to: its fullUrl, or a relative reference (Type/id) against the referring entry's base or a resource id.</summary>
    public int? Resolve(string reference, int fromIndex)
    {
        if (ByFullUrl.TryGetValue(reference, out var index))
        {
            return index;
        }

        if (reference.Contains(':', StringComparison.Ordinal))
        {
            return null; // an absolute URL or URN that is in no entry
        }

        var parts = reference.Split('/');
        if (parts.Length < 2)
        {
            return null;
        }

        var (type, id) = (parts[0], parts[1]);
        var ownParts = Entries[fromIndex].FullUrl?.Split('/');
        if (ownParts is { Length: >= 3 } && ByFullUrl.TryGetValue($"{string.Join('/', ownParts[..^2])}/{type}/{id}", out index))
        {
            // fullUrl "https://emr.example/fhir/Observation/1" has the base "https://emr.example/fhir".
            return index;
        }

        _byTypeAndId ??= IndexByTypeAndId();
        if (_byTypeAndId.TryGetValue((type, id), out index) && index != Ambiguous)
        {
            return index;
        }

        return null; // in no entry, or in two (two Patients with one id): never a guess
    }

    private Dictionary<(string Type, string Id), int> IndexByTypeAndId()
    {
        var index = new Dictionary<(string, string), int>();
        foreach (var entry in Entries)
        {
            if (FhirBundleReader.TypeOf(entry) is { } type
                && entry.Resource.TryGetProperty("id", out var rid) && rid.ValueKind == JsonValueKind.String && rid.GetString() is { } id)
            {
                // Two resources of one type with one id: a reference to it could be either, so it resolves to neither.
                index[(type, id)] = index.ContainsKey((type, id)) ? Ambiguous : entry.Index;
            }
        }

        return index;
    }
}
