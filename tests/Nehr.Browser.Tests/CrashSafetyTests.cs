using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Nehr.Core.Audit;
using Nehr.Core.Contribution;
using Nehr.Core.Data;
using Nehr.Core.Data.Demo;

namespace Nehr.Browser.Tests;

/// <summary>
/// Kills the real portal process (SIGKILL) in the middle of concurrent contributions, three times, restarting it on
/// the same database. Afterwards every write the portal acknowledged is there, no bundle is there in part, SQLite's
/// integrity check passes and the audit chain verifies. (In the portal collection: it runs alone, not beside the
/// browser journeys.)
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class CrashSafetyTests(Xunit.Abstractions.ITestOutputHelper output)
{
    internal const int EntriesPerBundle = 5;
    private const int Rounds = 3;
    private const int Writers = 4;

    [Fact]
    public async Task Acknowledged_writes_survive_repeated_kills_and_the_database_and_chain_stay_intact()
    {
        var directory = Path.Combine(Path.GetTempPath(), "nehr-crash-tests", Guid.NewGuid().ToString("N"));
        var acknowledged = new ConcurrentBag<string>();
        try
        {
            string? patient = null;
            for (var round = 0; round < Rounds; round++)
            {
                await using var portal = await PortalProcess.StartAsync(directory);
                patient ??= PatientJson(portal);
                using var client = new HttpClient { BaseAddress = portal.BaseAddress };
                var token = await TokenAsync(client);
                using var stop = new CancellationTokenSource();
                var writers = Enumerable.Range(0, Writers).Select(w => WriteUntilKilledAsync(client, token, patient, $"r{round}w{w}", acknowledged, stop.Token)).ToList();

                // Let the writers get going, then kill the process with requests in flight.
                await Task.Delay(TimeSpan.FromMilliseconds(1500 + 500 * round));
                await portal.KillAsync();
                await stop.CancelAsync();
                await Task.WhenAll(writers);
            }

            Assert.True(acknowledged.Count >= Rounds, $"Too few acknowledged bundles to prove anything: {acknowledged.Count}");

            // The portal starts again on the crashed database.
            await using (var again = await PortalProcess.StartAsync(directory))
            {
                using var client = new HttpClient { BaseAddress = again.BaseAddress };
                Assert.False(string.IsNullOrEmpty(await TokenAsync(client)));
            }

            var database = Path.Combine(directory, "nehr.db");
            Assert.Equal("ok", Scalar(database, "PRAGMA integrity_check"));
            await using var db = OpenCrashedDatabase(directory);
            var stored = await db.ClinicalEntries.Where(e => e.SourceIdentifier.StartsWith("urn:crash|"))
                .Select(e => e.SourceIdentifier).ToListAsync();
            var bundles = stored.GroupBy(s => s[..s.LastIndexOf('-')]).ToDictionary(g => g.Key, g => g.Count());
            Assert.All(acknowledged, bundle => Assert.True(bundles.ContainsKey("urn:crash|" + bundle), $"Acknowledged bundle {bundle} is missing."));
            Assert.All(bundles, b => Assert.Equal(EntriesPerBundle, b.Value)); // never a bundle in part
            Assert.Equal(bundles.Count, await db.AuditEvents.CountAsync(e => e.EventType == AuditEventTypes.ContributionAccepted));
            var verification = await AuditTrail.VerifyAsync(db);
            Assert.True(verification.Intact, verification.Problem);
            output.WriteLine($"{Rounds} kills: {acknowledged.Count} bundles acknowledged, {bundles.Count} stored whole, {verification.EventsChecked} audit events verified.");
        }
        finally
        {
            DeleteCrashDirectory(directory);
        }
    }

    /// <summary>The crashed portal's database, read directly.</summary>
    internal static NehrDbContext OpenCrashedDatabase(string directory) =>
        new(new DbContextOptionsBuilder<NehrDbContext>().UseSqlite($"Data Source={Path.Combine(directory, "nehr.db")}").Options);

    internal static void DeleteCrashDirectory(string directory)
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // Left in the temp folder.
        }
    }

    internal static async Task WriteUntilKilledAsync(
        HttpClient client, string token, string patient, string writer, ConcurrentBag<string> acknowledged, CancellationToken stop)
    {
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            var bundle = $"{writer}b{i}";
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/fhir")
                {
                    Content = new StringContent(BundleJson(patient, bundle), Encoding.UTF8, "application/fhir+json"),
                };
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                using var response = await client.SendAsync(request, stop);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    acknowledged.Add(bundle);
                }
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
            {
                return; // the process is gone: this request was never acknowledged
            }
        }
    }

    private static string BundleJson(string patient, string bundle)
    {
        var entries = Enumerable.Range(0, EntriesPerBundle).Select(i =>
            $$$"""{"fullUrl":"urn:uuid:{{{Guid.NewGuid()}}}","resource":{"resourceType":"Condition","identifier":[{"system":"urn:crash","value":"{{{bundle}}}-{{{i}}}"}],"subject":{"reference":"urn:uuid:p"},"code":{"text":"Hypertension"},"recordedDate":"2025-01-01"},"request":{"method":"POST","url":"Condition"}}""");
        return $$$"""{"resourceType":"Bundle","type":"transaction","entry":[{"fullUrl":"urn:uuid:p","resource":{{{patient}}},"request":{"method":"PUT","url":"Patient"}},{{{string.Join(',', entries)}}}]}""";
    }

    /// <summary>The demo patient as the hospital's system sends it: NRIC/FIN, name, birth date and gender (the identity cross-check).</summary>
    internal static string PatientJson(PortalProcess portal) => portal.Database.Scalar(
        """SELECT '{"resourceType":"Patient","identifier":[{"system":"' || $system || '","value":"' || p.Nric || '"}],"name":[{"text":"' || p.Name || '"}],"birthDate":"' || p.DateOfBirth || '","gender":"' || lower(p.Sex) || '"}' FROM Patients p JOIN AspNetUsers u ON u.PatientId = p.Id WHERE u.Email = $email""",
        ("$system", FhirBundleReader.NricSystem), ("$email", DemoAccounts.Patient));

    internal static async Task<string> TokenAsync(HttpClient client)
    {
        using var response = await client.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = DemoAccounts.SystemClientId,
            ["client_secret"] = DemoAccounts.SystemSecret,
        }));
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("access_token").GetString()!;
    }

    private static string Scalar(string database, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={database}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture)!;
    }
}
