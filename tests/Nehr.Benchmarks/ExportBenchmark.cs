using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Nehr.Core.Records;
using Task = System.Threading.Tasks.Task;

namespace Nehr.Benchmarks;

/// <summary>
/// Large exports over loopback HTTP: the Synthea-shaped test fixture (one adult's ten years, 273 entries) repeated
/// with fresh identifiers into one transaction of up to 21,761 entries (60 MB, under the 64 MB limit) for a person the NEHR has not seen, posted
/// once (enrolment, every entry new) and again (the resend, every entry found and updated, nothing duplicated).
/// </summary>
internal static partial class ExportBenchmark
{
    public static async Task RunAsync()
    {
        var fixture = await File.ReadAllTextAsync(FixturePath("synthea-adult.json"));
        await KestrelPortal.RunFreshAsync(async (client, database) =>
        {
            client.Timeout = TimeSpan.FromMinutes(5);
            Console.WriteLine("One patient's export in one transaction (Synthea shape, repeated with fresh identifiers):");
            var token = await ContributionBenchmark.TokenAsync(client);
            var person = 0;
            foreach (var copies in new[] { 1, 10, 40, 80 })
            {
                var nric = Nric.FromDigits('S', 7_700_000 + person++).ToString();
                var (json, entries) = Repeat(fixture, nric, copies);
                var bytes = Encoding.UTF8.GetByteCount(json);
                var first = await TimedPostAsync(client, token, json);
                var resend = await TimedPostAsync(client, token, json);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {entries,6:N0} entries, {bytes / 1048576.0,5:0.0} MB: first post {first:0.00} s, resend {resend:0.00} s; {Kept(database, nric):N0} entries kept after both"));
            }
        });
    }

    /// <summary>The fixture's entries (all but the Patient) repeated, every UUID but the Patient's replaced per copy.</summary>
    private static (string Json, int Entries) Repeat(string fixture, string nric, int copies)
    {
        var bundle = JsonDocument.Parse(fixture.Replace("{{NRIC}}", nric, StringComparison.Ordinal)).RootElement;
        var entries = bundle.GetProperty("entry").EnumerateArray().ToList();
        var patient = entries.Single(e => e.GetProperty("resource").GetProperty("resourceType").GetString() == "Patient");
        var patientUuid = patient.GetProperty("fullUrl").GetString()!["urn:uuid:".Length..];
        var rest = string.Join(",", entries.Where(e => e.GetProperty("fullUrl").GetString() != patient.GetProperty("fullUrl").GetString()).Select(e => e.GetRawText()));
        var json = new StringBuilder("{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[");
        json.Append(patient.GetRawText());
        for (var i = 0; i < copies; i++)
        {
            var renamed = new Dictionary<string, string>();
            json.Append(',').Append(Uuid().Replace(rest, m => m.Value == patientUuid ? m.Value
                : renamed.TryGetValue(m.Value, out var fresh) ? fresh : renamed[m.Value] = Guid.NewGuid().ToString()));
        }

        return (json.Append("]}").ToString(), 1 + (copies * (entries.Count - 1)));
    }

    private static async Task<double> TimedPostAsync(HttpClient client, string token, string json)
    {
        var started = Stopwatch.GetTimestamp();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/fhir") { Content = new StringContent(json, Encoding.UTF8, "application/fhir+json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Contribution failed: {(int)response.StatusCode} {body[..Math.Min(body.Length, 2000)]}");
        }

        return Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    private static long Kept(string database, string nric)
    {
        using var connection = new SqliteConnection($"Data Source={database}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM ClinicalEntries e JOIN Patients p ON p.Id = e.PatientId WHERE p.Nric = $nric";
        command.Parameters.AddWithValue("$nric", nric);
        return (long)command.ExecuteScalar()!;
    }

    private static string FixturePath(string name)
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            var candidate = Path.Combine(folder.FullName, "tests", "Nehr.Integration.Tests", "Fixtures", name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"The fixture {name} was not found above {AppContext.BaseDirectory}.");
    }

    [GeneratedRegex("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")]
    private static partial Regex Uuid();
}
