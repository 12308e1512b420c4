using Nehr.Core;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;
using Nehr.Core.Access;
using Nehr.Core.Audit;
using Nehr.Core.Contribution;
using Nehr.Core.Data;
using Nehr.Core.Data.Demo;
using Nehr.Core.Records;
using Task = System.Threading.Tasks.Task;

namespace Nehr.Integration.Tests;

public sealed class ContributionApiTests : IAsyncLifetime
{
    private readonly PortalFactory _portal = new();
    private DemoWorld _world = null!;
    private HttpClient _client = null!;
    private string _nric = null!;
    private FhirPerson _person = null!;
    private FhirPerson _restricted = null!;

    public async Task InitializeAsync()
    {
        _portal.Settings["Nehr:Contribution:RequestsPerMinute"] = "1000";
        _portal.Settings["Nehr:Contribution:MaxBundleBytes"] = (32 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture);
        _world = await DemoWorld.LoadAsync(_portal);
        _client = _portal.CreateClient();
        _person = await FhirPerson.LoadAsync(_portal, _world.OpenPatientId);
        _nric = _person.Nric;
        _restricted = await FhirPerson.LoadAsync(_portal, _world.RestrictedPatientId);
    }

    public Task DisposeAsync()
    {
        _client.Dispose();
        _portal.Dispose();
        return Task.CompletedTask;
    }

    internal static async Task<string> TokenAsync(HttpClient client, string clientId = DemoAccounts.SystemClientId, string secret = DemoAccounts.SystemSecret)
    {
        using var response = await RequestTokenAsync(client, clientId, secret);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("access_token").GetString()!;
    }

    private static Task<HttpResponseMessage> RequestTokenAsync(HttpClient client, string clientId, string secret) =>
        client.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = secret,
        }));

    internal static async Task<(HttpStatusCode Status, string Body)> PostAsync(HttpClient client, string? token, string json)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/fhir") { Content = new StringContent(json, Encoding.UTF8, "application/fhir+json") };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private async Task<(HttpStatusCode Status, string Body)> PostAsync(string json) => await PostAsync(_client, await TokenAsync(_client), json);

    internal static List<string> Expressions(string body)
    {
        using var json = JsonDocument.Parse(body);
        Assert.Equal("OperationOutcome", json.RootElement.GetProperty("resourceType").GetString());
        return json.RootElement.GetProperty("issue").EnumerateArray()
            .SelectMany(i => i.TryGetProperty("expression", out var e) ? e.EnumerateArray().Select(x => x.GetString()!) : [])
            .ToList();
    }

    [Fact]
    public async Task Metadata_is_a_capability_statement_naming_the_supported_resources()
    {
        using var response = await _client.GetAsync("/fhir/metadata");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("application/fhir+json", response.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        Assert.True(response.Headers.CacheControl!.NoStore);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Contains("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        using var json = JsonDocument.Parse(body);
        Assert.Equal("CapabilityStatement", json.RootElement.GetProperty("resourceType").GetString());
        var types = json.RootElement.GetProperty("rest")[0].GetProperty("resource").EnumerateArray().Select(r => r.GetProperty("type").GetString()!).ToList();
        Assert.Equal(FhirBundleReader.KeptTypes, types);
    }

    [Fact]
    public async Task Every_kept_resource_type_becomes_an_entry_of_its_kind_attributed_to_the_system()
    {
        var bundle = FhirBundles.Transaction(_person,
            FhirBundles.Allergy("a1"), FhirBundles.Vaccination("v1"), FhirBundles.Prescription("m1"), FhirBundles.MedicationTaken("m2"),
            FhirBundles.Dispense("m3"), FhirBundles.Lab("l1"), FhirBundles.Report("r1"), FhirBundles.RadiologyReport("x1"), FhirBundles.Diagnosis("c1"),
            FhirBundles.Procedure("p1"), FhirBundles.Visit("e1"), FhirBundles.DischargeSummary("s1"), FhirBundles.Letter("d1"));

        var (status, body) = await PostAsync(FhirBundles.Json(bundle));

        Assert.Equal(HttpStatusCode.OK, status);
        using var json = JsonDocument.Parse(body);
        Assert.Equal("transaction-response", json.RootElement.GetProperty("type").GetString());
        var statuses = json.RootElement.GetProperty("entry").EnumerateArray().Select(e => e.GetProperty("response").GetProperty("status").GetString()).ToList();
        Assert.Equal(["200 OK", .. Enumerable.Repeat("201 Created", 13)], statuses);
        await using var db = _portal.CreateDbContext();
        var system = await db.SystemConnections.SingleAsync(s => s.ClientId == DemoAccounts.SystemClientId);
        var views = await _portal.WithAsync<RecordGate, RecordView>(g => g.OpenAsync(new RecordRequest(DemoWorld.As(_world.DoctorUserId), _world.OpenPatientId, PurposeOfUse.Treatment)));
        var contributed = views.Entries.Values.SelectMany(p => p.Items).Where(e => e.SourceSystemId == system.Id).ToList();
        Assert.Equal(
            new Dictionary<EntryKind, int>
            {
                [EntryKind.Allergy] = 1, [EntryKind.Vaccination] = 1, [EntryKind.Medication] = 3, [EntryKind.LabResult] = 2, [EntryKind.RadiologyResult] = 1,
                [EntryKind.Diagnosis] = 1, [EntryKind.Procedure] = 1, [EntryKind.Visit] = 1, [EntryKind.Summary] = 2,
            },
            contributed.GroupBy(e => e.Kind).ToDictionary(g => g.Key, g => g.Count()));
        var lab = contributed.OfType<LabResultEntry>().Single(e => e.TestCode == "4548-4");
        Assert.Equal(("7.2", "%", 4.0m, 6.0m, AbnormalFlag.High, "final"), (lab.Value, lab.Unit, lab.ReferenceLow, lab.ReferenceHigh, lab.Flag, lab.Status));
        var xray = contributed.OfType<RadiologyResultEntry>().Single();
        Assert.Equal(("XR Chest 2 Views", "36643-5", "No focal consolidation. Heart size normal."), (xray.Examination, xray.ExaminationCode, xray.Conclusion));
        Assert.StartsWith("CHEST X-RAY, PA and lateral.", xray.Report, StringComparison.Ordinal);
        var procedure = contributed.OfType<ProcedureEntry>().Single();
        Assert.Equal(("Colonoscopy", "73761001", "Colon", "Two polyps removed", "completed"), (procedure.Procedure, procedure.Code, procedure.BodySite, procedure.Outcome, procedure.Status));
        Assert.Equal(new DateTime(2025, 6, 10, 1, 40, 0, DateTimeKind.Utc), procedure.EndedAtUtc);
        var visit = contributed.OfType<VisitEntry>().Single();
        Assert.Equal(("Diabetes clinic visit", "Ambulatory", "Diabetes review"), (visit.VisitType, visit.VisitClass, visit.Reason));
        Assert.Equal(SummaryType.Discharge, contributed.OfType<SummaryEntry>().Single(s => s.Title == "Discharge summary").Type);
        Assert.Equal("Referred to cardiology.", contributed.OfType<SummaryEntry>().Single(s => s.Title == "Referral letter").Text);
        Assert.All(contributed, e => Assert.Equal(_world.HospitalId, e.SourceProviderId));

        var accepted = await db.AuditEvents.Where(e => e.EventType == AuditEventTypes.ContributionAccepted).SingleAsync();
        Assert.Equal((system.Id, _world.HospitalId, _world.OpenPatientId), (accepted.SystemId!.Value, accepted.ActorProviderId!.Value, accepted.PatientId!.Value));
        Assert.Contains("kept=13; refused=0", accepted.Details, StringComparison.Ordinal);
        var log = await db.ContributionBatches.Where(b => b.SystemId == system.Id).SingleAsync();
        Assert.Equal((ContributionOutcome.Accepted, 14, 13, 0), (log.Outcome, log.EntryCount, log.ResourceCount, log.RefusedCount));
    }

    [Fact]
    public async Task Sending_the_same_resource_again_updates_it_and_never_duplicates()
    {
        await PostAsync(FhirBundles.Json(FhirBundles.Transaction(_person, FhirBundles.Lab("l1", 7.2m), FhirBundles.Allergy("a1"))));
        var (status, body) = await PostAsync(FhirBundles.Json(FhirBundles.Transaction(_person, FhirBundles.Lab("l1", 6.1m), FhirBundles.Allergy("a1", "Amoxicillin"))));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("200 OK", body, StringComparison.Ordinal);
        Assert.DoesNotContain("201 Created", body, StringComparison.Ordinal);
        var view = await _portal.WithAsync<RecordGate, RecordView>(g => g.OpenAsync(new RecordRequest(DemoWorld.As(_world.DoctorUserId), _world.OpenPatientId, PurposeOfUse.Treatment)));
        var labs = view.Entries[EntryKind.LabResult].Items.OfType<LabResultEntry>().Where(e => e.SourceIdentifier == "urn:cgh:emr|l1").ToList();
        Assert.Equal("6.1", Assert.Single(labs).Value);
        Assert.Equal("Amoxicillin", view.Entries[EntryKind.Allergy].Items.OfType<AllergyEntry>().Single(e => e.SourceIdentifier == "urn:cgh:emr|a1").Substance);
    }

    [Fact]
    public async Task A_patients_restriction_never_blocks_contribution()
    {
        var (status, _) = await PostAsync(FhirBundles.Json(FhirBundles.Transaction(_restricted, FhirBundles.Diagnosis("c9"))));

        Assert.Equal(HttpStatusCode.OK, status);
        await using var db = _portal.CreateDbContext();
        Assert.Equal(_world.RestrictedPatientId, (await db.AuditEvents.SingleAsync(e => e.EventType == AuditEventTypes.ContributionAccepted)).PatientId);
    }

    [Fact]
    public async Task A_body_over_the_size_limit_is_refused_with_413()
    {
        var token = await TokenAsync(_client);
        var before = await _portal.ClinicalDataHashAsync();
        var padding = new string(' ', 33 * 1024 * 1024);

        var (status, body) = await PostAsync(_client, token, "{\"resourceType\":\"Bundle\"," + padding + "\"type\":\"batch\"}");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Contains("Bundle", Expressions(body));
        Assert.Equal(before, await _portal.ClinicalDataHashAsync());
    }

    [Fact]
    public async Task Without_a_valid_token_nothing_is_accepted()
    {
        var json = FhirBundles.Json(FhirBundles.Transaction(_person, FhirBundles.Diagnosis("c5")));

        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(_client, null, json)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(_client, "not-a-token", json)).Status);
        using var wrongSecret = await RequestTokenAsync(_client, DemoAccounts.SystemClientId, "wrong");
        Assert.Equal(HttpStatusCode.Unauthorized, wrongSecret.StatusCode);
        using var unknown = await RequestTokenAsync(_client, "nehr-system-999", DemoAccounts.SystemSecret);
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);

        await using var db = _portal.CreateDbContext();
        Assert.Equal(2, await db.AuditEvents.CountAsync(e => e.EventType == AuditEventTypes.SystemTokenRefused && e.Outcome == AuditOutcome.Denied));
        Assert.Equal(0, await db.AuditEvents.CountAsync(e => e.EventType == AuditEventTypes.ContributionAccepted));
    }

    [Fact]
    public async Task A_suspended_or_revoked_system_gets_401_even_with_a_token_and_it_is_audited()
    {
        var token = await TokenAsync(_client);
        await using var db = _portal.CreateDbContext();
        var system = await db.SystemConnections.SingleAsync(s => s.ClientId == DemoAccounts.SystemClientId);
        var admin = DemoWorld.As(_world.MohAdminUserId);
        await _portal.WithAsync<SystemOnboarding, bool>(async o => { await o.SuspendAsync(admin, system.Id); return true; });
        var json = FhirBundles.Json(FhirBundles.Transaction(_person, FhirBundles.Diagnosis("c6")));

        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(_client, token, json)).Status);
        using (var refused = await RequestTokenAsync(_client, DemoAccounts.SystemClientId, DemoAccounts.SystemSecret))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        var denied = await db.AuditEvents.AsNoTracking().Where(e => e.SystemId == system.Id && e.Outcome == AuditOutcome.Denied).Select(e => e.EventType).ToListAsync();
        Assert.Equal([AuditEventTypes.ContributionRefused, AuditEventTypes.SystemTokenRefused], denied);

        await _portal.WithAsync<SystemOnboarding, bool>(async o => { await o.ReinstateAsync(admin, system.Id); return true; });
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(_client, token, json)).Status);
        await _portal.WithAsync<SystemOnboarding, bool>(async o => { await o.RevokeAsync(admin, system.Id); return true; });
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(_client, token, json)).Status);
    }

    [Fact]
    public async Task A_system_suspended_after_it_was_admitted_is_refused_in_the_write_audited_and_files_nothing()
    {
        await using var db = _portal.CreateDbContext();
        var system = await db.SystemConnections.AsNoTracking().SingleAsync(s => s.ClientId == DemoAccounts.SystemClientId);
        var caller = new SystemCaller(system.Id, "127.0.0.1", "suspended-meanwhile", system.Kind); // admitted: its kind is known
        await _portal.WithAsync<SystemOnboarding, bool>(async o => { await o.SuspendAsync(DemoWorld.As(_world.MohAdminUserId), system.Id); return true; });
        var before = await _portal.ClinicalDataHashAsync();
        var json = System.Text.Encoding.UTF8.GetBytes(FhirBundles.Json(FhirBundles.Transaction(_person, FhirBundles.Diagnosis("c7"))));

        var refused = await Assert.ThrowsAsync<AccessRefusedException>(() =>
            _portal.WithAsync<ContributionService, ContributionResult>(c => c.ContributeAsync(caller, json)));

        Assert.Contains("may not contribute", refused.Message, StringComparison.Ordinal);
        Assert.Equal(before, await _portal.ClinicalDataHashAsync());
        var e = await db.LastEventAsync();
        Assert.Equal((AuditEventTypes.ContributionRefused, AuditOutcome.Denied, "suspended-meanwhile", (int?)system.Id), (e.EventType, e.Outcome, e.CorrelationId, e.SystemId));
    }

    [Fact]
    public async Task Credentials_issued_at_onboarding_work_for_contribution()
    {
        var application = await _portal.WithAsync<SystemOnboarding, SystemApplication>(o => o.ApplyAsync(DemoWorld.As(_world.AdminUserId), "Ward EMR"));
        await _portal.WithAsync<SystemOnboarding, bool>(o => o.ConnectivityTestAsync(application.ConnectivityKey, "127.0.0.1", "t"));
        var admin = DemoWorld.As(_world.MohAdminUserId);
        await _portal.WithAsync<SystemOnboarding, bool>(async o => { await o.SetSecurityItemsAsync(admin, application.System.Id, SecurityItem.All); return true; });
        var credentials = await _portal.WithAsync<SystemOnboarding, IssuedCredentials>(o => o.ApproveAsync(admin, application.System.Id));

        var token = await TokenAsync(_client, credentials.ClientId, credentials.ClientSecret);
        var (status, _) = await PostAsync(_client, token, FhirBundles.Json(FhirBundles.Transaction(_person, FhirBundles.Diagnosis("w1"))));

        Assert.Equal(HttpStatusCode.OK, status);
        await using var db = _portal.CreateDbContext();
        Assert.Equal(application.System.Id, (await db.AuditEvents.SingleAsync(e => e.EventType == AuditEventTypes.ContributionAccepted)).SystemId);
    }

    [Fact]
    public async Task A_token_expires_after_its_short_lifetime()
    {
        var token = await TokenAsync(_client);
        var json = FhirBundles.Json(FhirBundles.Transaction(_person, FhirBundles.Diagnosis("c7")));
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(_client, token, json)).Status);

        _portal.Clock.Advance(TimeSpan.FromMinutes(6));

        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(_client, token, json)).Status);
    }

    [Fact]
    public async Task Concurrent_posts_are_all_applied_and_the_audit_chain_stays_intact()
    {
        var token = await TokenAsync(_client);
        await using var db = _portal.CreateDbContext();
        var people = (await db.Patients.OrderBy(p => p.Id).Take(8).ToListAsync()).Select(FhirPerson.Of).ToList();

        var results = await Task.WhenAll(people.Select((person, i) => PostAsync(_client, token,
            FhirBundles.Json(FhirBundles.Transaction(person, FhirBundles.Lab($"par{i}"), FhirBundles.Diagnosis($"pard{i}"), FhirBundles.Visit($"parv{i}"))))));

        Assert.All(results, r => Assert.Equal(HttpStatusCode.OK, r.Status));
        Assert.Equal(8, await db.AuditEvents.CountAsync(e => e.EventType == AuditEventTypes.ContributionAccepted));
        var system = await db.SystemConnections.SingleAsync(s => s.ClientId == DemoAccounts.SystemClientId);
        Assert.Equal(24, await db.ClinicalEntries.CountAsync(e => e.SourceSystemId == system.Id));
        Assert.True((await AuditTrail.VerifyAsync(db)).Intact);
    }
}

public sealed class ContributionRateLimitTests : IAsyncLifetime
{
    private readonly PortalFactory _portal = new();

    public Task InitializeAsync()
    {
        _portal.Settings["Nehr:Contribution:RequestsPerMinute"] = "3";
        return DemoWorld.LoadAsync(_portal);
    }

    public Task DisposeAsync()
    {
        _portal.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_system_over_its_rate_gets_429_with_retry_after()
    {
        using var client = _portal.CreateClient();
        var token = await ContributionApiTests.TokenAsync(client);
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? last = null;
        for (var i = 0; i < 4; i++)
        {
            last?.Dispose();
            using var request = new HttpRequestMessage(HttpMethod.Post, "/fhir") { Content = new StringContent("{}", Encoding.UTF8, "application/fhir+json") };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            last = await client.SendAsync(request);
            statuses.Add(last.StatusCode);
        }

        Assert.Equal([HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.TooManyRequests], statuses);
        Assert.True(last!.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Contains("Too many requests", await last.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        last.Dispose();
    }
}
