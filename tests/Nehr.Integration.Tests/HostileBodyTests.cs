using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace Nehr.Integration.Tests;

/// <summary>
/// The contribution API against hostile request bodies (<see cref="HostileBodies"/>): each must be refused as a whole
/// with a FHIR OperationOutcome and a 4xx that fits (400, 413, 415 or 422), and none may change the record.
/// </summary>
[Trait("Database", "ProviderIndependent")]
public sealed class HostileBodyTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int MinimumBodies = 300;
    private readonly PortalFactory _portal = new();
    private DemoWorld _world = null!;
    private HttpClient _client = null!;
    private Person _person = null!;

    public async Task InitializeAsync()
    {
        _portal.Settings["Nehr:Contribution:RequestsPerMinute"] = "100000";
        _world = await DemoWorld.LoadAsync(_portal);
        _client = _portal.CreateClient();
        await using var db = _portal.CreateDbContext();
        var patient = await db.Patients.AsNoTracking().SingleAsync(p => p.Id == _world.OpenPatientId);
        var words = patient.Name.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        _person = new Person(
            patient.Nric.Value, words[0], string.Join(' ', words.Skip(1)),
            patient.DateOfBirth.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), patient.Sex.ToString().ToLowerInvariant());
    }

    public Task DisposeAsync()
    {
        _client.Dispose();
        _portal.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task The_valid_base_bundle_is_accepted()
    {
        var token = await ContributionApiTests.TokenAsync(_client);

        var (status, _, body) = await PostAsync(token, HostileBodies.FhirJson, Encoding.UTF8.GetBytes(HostileBodies.ValidBaseJson(_person)));

        Assert.True(status == 200, $"The base bundle every hostile body is one defect away from was refused: {status} {body}");
    }

    [Fact]
    public async Task Every_hostile_body_is_refused_with_an_operation_outcome_and_changes_no_clinical_data()
    {
        var bodies = HostileBodies.All(_person);
        output.WriteLine($"{bodies.Count} bodies, {bodies.Sum(b => (long)b.Body.Length) / 1024 / 1024} MB");
        foreach (var group in bodies.GroupBy(b => HostileBodies.ClassOf(b.Name)))
        {
            output.WriteLine($"  {group.Key}: {group.Count()}");
        }

        var before = await _portal.ClinicalDataHashAsync();
        var token = await ContributionApiTests.TokenAsync(_client);
        var failures = new List<(HostileBody Body, string Status, string Problem, string Response)>();
        var posted = 0;
        foreach (var body in bodies)
        {
            string? problem;
            string status;
            string text;
            try
            {
                var response = await PostAsync(token, body.ContentType, body.Body);
                if (response.Status == 401)
                {
                    // Tokens live 5 minutes.
                    token = await ContributionApiTests.TokenAsync(_client);
                    response = await PostAsync(token, body.ContentType, body.Body);
                }

                posted++;
                status = response.Status.ToString(CultureInfo.InvariantCulture);
                text = response.Body;
                problem = Problem(response.Status, response.MediaType, response.Body);
            }
#pragma warning disable CA1031 // Whatever the portal throws is a finding, reported with the others.
            catch (Exception e)
#pragma warning restore CA1031
            {
                posted++;
                status = "exception";
                text = $"{e.GetType().Name}: {e.Message}";
                problem = "the request threw";
            }

            if (problem is not null)
            {
                failures.Add((body, status, problem, text));
            }
        }

        var after = await _portal.ClinicalDataHashAsync();

        var report = new StringBuilder();
        report.Append(CultureInfo.InvariantCulture, $"{failures.Count} of {posted} hostile bodies were not refused properly; clinical data ")
            .Append(before == after ? "unchanged." : "CHANGED.").Append('\n');
        report.Append("By status: ").AppendJoin(", ", failures.GroupBy(f => f.Status).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} x{g.Count()}")).Append('\n');
        report.Append("By problem: ").AppendJoin(", ", failures.GroupBy(f => f.Problem).OrderByDescending(g => g.Count()).Select(g => $"{g.Key} x{g.Count()}")).Append('\n');
        report.Append("By class: ").AppendJoin(", ", failures.GroupBy(f => HostileBodies.ClassOf(f.Body.Name)).Select(g => $"{g.Key} x{g.Count()}")).Append('\n');
        foreach (var (body, status, problem, text) in failures)
        {
            var start = text.Length > 200 ? text[..200] : text;
            report.Append(CultureInfo.InvariantCulture, $"- {body.Name} [{(body.ContentType.Length == 0 ? "no content type" : body.ContentType)}]: {status}, {problem}: ")
                .Append(start.ReplaceLineEndings(" ")).Append('\n');
        }

        output.WriteLine(report.ToString());
        Assert.True(posted >= MinimumBodies, $"Only {posted} bodies were posted; the corpus has at least {MinimumBodies}.");
        Assert.True(failures.Count == 0 && before == after, report.ToString());
    }

    private async Task<(int Status, string? MediaType, string Body)> PostAsync(string token, string contentType, byte[] body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/fhir") { Content = new ByteArrayContent(body) };
        if (contentType.Length > 0)
        {
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await _client.SendAsync(request);
        return ((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync());
    }

    /// <summary>What is wrong with the answer to a hostile body (every problem, joined), or null when it is a proper refusal.</summary>
    private static string? Problem(int status, string? mediaType, string body)
    {
        var problems = new List<string>();
        if (status is >= 200 and < 300)
        {
            problems.Add("accepted");
        }
        else if (status is not ((int)HttpStatusCode.BadRequest or (int)HttpStatusCode.RequestEntityTooLarge or (int)HttpStatusCode.UnsupportedMediaType or (int)HttpStatusCode.UnprocessableEntity))
        {
            problems.Add($"status {status}, not 400, 413, 415 or 422");
        }

        if (!string.Equals(mediaType, HostileBodies.FhirJson, StringComparison.OrdinalIgnoreCase))
        {
            problems.Add($"{(body.TrimStart().StartsWith('<') ? "an HTML page" : "a body")} as {mediaType ?? "no content type"}, not application/fhir+json");
        }
        else if (status is not (>= 200 and < 300))
        {
            try
            {
                using var json = JsonDocument.Parse(body);
                var root = json.RootElement;
                if (root.ValueKind != JsonValueKind.Object
                    || !root.TryGetProperty("resourceType", out var type) || type.ValueKind != JsonValueKind.String || type.GetString() != "OperationOutcome")
                {
                    problems.Add("not an OperationOutcome");
                }
                else if (!(root.TryGetProperty("issue", out var issues) && issues.ValueKind == JsonValueKind.Array
                    && issues.EnumerateArray().Any(i => i.ValueKind == JsonValueKind.Object
                        && i.TryGetProperty("severity", out var severity) && severity.ValueKind == JsonValueKind.String && severity.GetString() is "error" or "fatal")))
                {
                    problems.Add("no issue with severity error or fatal");
                }
            }
            catch (JsonException)
            {
                problems.Add("the body is not JSON");
            }
        }

        return problems.Count == 0 ? null : string.Join("; ", problems);
    }
}
