using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Nehr.Core.Access;
using Nehr.Core.Data.Demo;
using Nehr.Core.Records;

namespace Nehr.Integration.Tests;

/// <summary>One portal with the demo world for a class of feed tests (each test uses its own persons and identifiers).</summary>
public sealed class FeedPortal : IAsyncLifetime
{
    public PortalFactory Portal { get; } = new();

    public DemoWorld World { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    private readonly Dictionary<string, (string Token, DateTime At)> _tokens = [];

    public async Task InitializeAsync()
    {
        Portal.Settings["Nehr:Contribution:RequestsPerMinute"] = "100000";
        // The classes sharing this portal sign in far more often than a person (each hostile return address twice over).
        Portal.Settings["Nehr:Security:SignInsPerMinute"] = "1000";
        World = await DemoWorld.LoadAsync(Portal);
        Client = Portal.CreateClient();
    }

    public Task DisposeAsync()
    {
        Client.Dispose();
        Portal.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>A token for the system (kept while it is young: tokens live 5 minutes of the portal's clock).</summary>
    public async Task<string> TokenAsync(string clientId = DemoAccounts.SystemClientId, string secret = DemoAccounts.SystemSecret)
    {
        var now = Portal.Clock.GetUtcNow().UtcDateTime;
        if (_tokens.TryGetValue(clientId, out var kept) && now - kept.At < TimeSpan.FromMinutes(3))
        {
            return kept.Token;
        }

        var token = await ContributionApiTests.TokenAsync(Client, clientId, secret);
        _tokens[clientId] = (token, now);
        return token;
    }

    public Task<string> RegisterTokenAsync() => TokenAsync(DemoAccounts.RegisterClientId, DemoAccounts.RegisterSecret);

    /// <summary>Posts a body and reads the answer as JSON.</summary>
    public async Task<Answer> PostAsync(string body, string? token = null, string contentType = "application/fhir+json", string path = "/fhir")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token ?? await TokenAsync());
        using var response = await Client.SendAsync(request);
        return new Answer(response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync());
    }

    public Task<Answer> PostAsync(Hl7.Fhir.Model.Bundle bundle, string? token = null) => PostAsync(FhirBundles.Json(bundle), token);

    /// <summary>What a clinician of the hospital sees of a patient (the gate, as the clinician area reads it).</summary>
    public Task<RecordView> OpenAsDoctorAsync(int patientId) =>
        Portal.WithAsync<RecordGate, RecordView>(g => g.OpenAsync(new RecordRequest(DemoWorld.As(World.DoctorUserId), patientId, PurposeOfUse.Treatment)));

    public async Task<Patient?> PersonAsync(string nric)
    {
        await using var db = Portal.CreateDbContext();
        var parsed = Nric.Parse(nric);
        return await db.Patients.AsNoTracking().SingleOrDefaultAsync(p => p.Nric == parsed)
            ?? await db.Patients.AsNoTracking().Where(p => db.FormerIdentifiers.Any(f => f.Nric == parsed && f.PatientId == p.Id)).SingleOrDefaultAsync();
    }

    public async Task<List<ClinicalEntry>> EntriesAsync(int patientId)
    {
        await using var db = Portal.CreateDbContext();
        return await db.ClinicalEntries.AsNoTracking().Where(e => e.PatientId == patientId).ToListAsync();
    }
}

/// <summary>An answer of the contribution API: status, media type and body.</summary>
public sealed record Answer(HttpStatusCode Status, string? MediaType, string Body)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    public string ResourceType => Json.GetProperty("resourceType").GetString()!;

    /// <summary>Each response entry's status, in order.</summary>
    public List<string> Statuses => Json.GetProperty("entry").EnumerateArray().Select(e => e.GetProperty("response").GetProperty("status").GetString()!).ToList();

    /// <summary>The issues of an OperationOutcome answer: severity, code, expression, diagnostics.</summary>
    public List<(string Severity, string Code, string Expression, string Diagnostics)> Issues =>
        Json.GetProperty("issue").EnumerateArray().Select(i => (
            i.GetProperty("severity").GetString()!, i.GetProperty("code").GetString()!,
            i.TryGetProperty("expression", out var e) ? e[0].GetString()! : string.Empty,
            i.TryGetProperty("diagnostics", out var d) ? d.GetString()! : string.Empty)).ToList();

    /// <summary>The issues of one response entry's outcome.</summary>
    public List<(string Severity, string Code, string Diagnostics)> EntryIssues(int index) =>
        Json.GetProperty("entry")[index].GetProperty("response").TryGetProperty("outcome", out var outcome)
            ? outcome.GetProperty("issue").EnumerateArray().Select(i => (i.GetProperty("severity").GetString()!, i.GetProperty("code").GetString()!, i.GetProperty("diagnostics").GetString()!)).ToList()
            : [];

    public override string ToString() => $"{(int)Status} {Body[..Math.Min(Body.Length, 2000)]}";
}
