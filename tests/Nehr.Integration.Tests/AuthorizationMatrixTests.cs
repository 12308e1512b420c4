using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Nehr.Core;
using Nehr.Core.Access;
using Nehr.Core.Administration;
using Nehr.Core.Audit;
using Nehr.Core.Contribution;
using Nehr.Core.Data;
using Nehr.Core.Data.Demo;
using Nehr.Core.Identity;
using Nehr.Core.Notifications;
using Nehr.Core.Oversight;
using Nehr.Core.Records;
using Nehr.Core.Representatives;
using Xunit.Abstractions;

namespace Nehr.Integration.Tests;

public enum Actor
{
    Anonymous,
    Patient,
    Clinician,
    ClinicianWithoutRegistration,
    ClinicianUnderOverride,
    ProviderAdmin,
    MohAuditor,
    MohAdmin,
    ApiSystem,

    /// <summary>A person (a patient themselves) acting for another patient under a current representation that allows everything.</summary>
    RepresentativeActing,

    /// <summary>The same person, not acting for anyone: their own record only.</summary>
    RepresentativeNotActing,

    /// <summary>The same person, still acting under a representation that has since been ended.</summary>
    RepresentativeExpired,
}

/// <summary>Whose record (or provider's thing) a cell aims at, from the actor's point of view.</summary>
public enum Scope
{
    None,
    Own,
    Other,
    Restricted,
}

public enum Outcome
{
    Denied,
    Allowed,
    Full,
    BasicSetOnly,
}

/// <summary>
/// Every role × every page, HTTP endpoint and interactive handler × own / other / restricted records, against a table
/// written from docs/specification.md (not from the code's own policies). A cell passes when the outcome is exactly the expected one;
/// every refusal must have added a denied event to the audit trail. The pages and endpoints are read from the portal's
/// routing, so a new one that is not in the table fails the test until it is classified.
/// </summary>
public sealed class AuthorizationMatrixTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly Actor[] Actors = Enum.GetValues<Actor>();

    private readonly PortalFactory _portal = new();
    private readonly List<Cell> _cells = [];
    private readonly Dictionary<Actor, HttpClient> _clients = [];
    private readonly Dictionary<Actor, string?> _userIds = [];
    private Arrangement _a = null!;

    private sealed record Cell(string Target, Actor Actor, Scope Scope, Outcome Expected, Outcome Actual, bool Audited);

    /// <summary>The things the cells aim at, arranged once through the product's own services.</summary>
    private sealed record Arrangement(
        int OpenPatientId, int RestrictedPatientId, int UnregisteredPatientId, Nric OpenNric, Nric RestrictedNric, Nric UnregisteredNric,
        Nric SpareNric, long OwnEventSequence, long OtherPatientsEventSequence, long OverrideId, long ReportId,
        int OwnTargetPersonnelId, int OwnLeaverPersonnelId, int OtherProviderPersonnelId, long OwnRegistrationId, long OtherRegistrationId,
        long OwnDirectiveId, long OtherDirectiveId, int OwnSystemId, int OtherSystemId, int QuietProviderId,
        string RepresentativeUserId, string RepresentativeNric, long RepresentationId, long EndedRepresentationId, long AppointmentId);

    /// <summary>The patients' side: the patient, and the person who represents others, acting or not.</summary>
    private static readonly Actor[] PatientLike = [Actor.Patient, Actor.RepresentativeActing, Actor.RepresentativeNotActing];

    /// <summary>Everyone with a patient account, whatever they act under: for what a person only ever does for themselves.</summary>
    private static readonly Actor[] PatientAccounts = [.. PatientLike, Actor.RepresentativeExpired];

    private long? RepresentationOf(Actor actor) => actor switch
    {
        Actor.RepresentativeActing => _a.RepresentationId,
        Actor.RepresentativeExpired => _a.EndedRepresentationId,
        _ => null,
    };

    public async Task InitializeAsync()
    {
        // Every denied cell must leave its own event: the aggregation of anonymous floods has its own tests.
        _portal.Settings["Nehr:Audit:AnonymousPerAddressPerMinute"] = "1000000";
        _portal.Settings["Nehr:Audit:AnonymousPerMinute"] = "1000000";
        var world = await DemoWorld.LoadAsync(_portal);
        _a = await ArrangeAsync(world);
        _userIds[Actor.Anonymous] = null;
        _userIds[Actor.ApiSystem] = null;
        _userIds[Actor.Patient] = world.PatientUserId;
        _userIds[Actor.Clinician] = world.DoctorUserId;
        _userIds[Actor.ClinicianWithoutRegistration] = world.DentistUserId;
        _userIds[Actor.ClinicianUnderOverride] = world.NurseUserId;
        _userIds[Actor.ProviderAdmin] = world.AdminUserId;
        _userIds[Actor.MohAuditor] = world.AuditorUserId;
        _userIds[Actor.MohAdmin] = world.MohAdminUserId;

        _clients[Actor.Anonymous] = _portal.NewClient();
        _clients[Actor.Patient] = await _portal.SignedInClientAsync(DemoAccounts.Patient);
        _clients[Actor.Clinician] = await _portal.SignedInClientAsync(DemoAccounts.HospitalDoctor);
        _clients[Actor.ClinicianWithoutRegistration] = await _portal.SignedInClientAsync(DemoAccounts.OutsideDentist);
        _clients[Actor.ClinicianUnderOverride] = await _portal.SignedInClientAsync(DemoAccounts.PolyclinicNurse);
        _clients[Actor.ProviderAdmin] = await _portal.SignedInClientAsync(DemoAccounts.HospitalAdmin);
        _clients[Actor.MohAuditor] = await _portal.SignedInClientAsync(DemoAccounts.Auditor);
        _clients[Actor.MohAdmin] = await _portal.SignedInClientAsync(DemoAccounts.MohAdmin);
        var system = _portal.NewClient();
        system.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await ContributionApiTests.TokenAsync(system));
        _clients[Actor.ApiSystem] = system;

        // The representative's three sessions: not acting, acting for the selective patient, and acting under the
        // restricted patient's representation, which that patient then ends.
        foreach (var actor in new[] { Actor.RepresentativeActing, Actor.RepresentativeNotActing, Actor.RepresentativeExpired })
        {
            _userIds[actor] = _a.RepresentativeUserId;
            _clients[actor] = await _portal.SignedInPersonAsync(_a.RepresentativeNric);
        }

        await SwitchAsync(_clients[Actor.RepresentativeActing], _a.RepresentationId);
        await SwitchAsync(_clients[Actor.RepresentativeExpired], _a.EndedRepresentationId);
        await using (var scope = _portal.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<RepresentationService>().EndAsync(DemoWorld.As(world.RestrictedUserId), _a.EndedRepresentationId);
        }
    }

    private static async Task SwitchAsync(HttpClient client, long representationId)
    {
        var token = await PortalSignIn.AntiforgeryTokenAsync(client, "/Account/Manage");
        using var switched = await client.PostAsync("/patient/acting-for", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token,
            ["representation"] = representationId.ToString(CultureInfo.InvariantCulture),
        }));
        Assert.Equal("/patient/record", switched.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Every_role_on_every_page_endpoint_and_handler_gets_exactly_what_the_spec_allows_and_every_refusal_is_audited()
    {
        await RunHttpCellsAsync();
        await RunHandlerCellsAsync();

        var wrong = _cells.Where(c => c.Actual != c.Expected).ToList();
        var unexpectedAllows = wrong.Count(c => c.Expected == Outcome.Denied
            || (c.Expected == Outcome.BasicSetOnly && c.Actual == Outcome.Full));
        var unaudited = _cells.Where(c => c.Actual == Outcome.Denied && !c.Audited).ToList();
        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture,
            $"Authorization matrix: {_cells.Count} cells ({_cells.Select(c => c.Target).Distinct().Count()} pages, endpoints and handlers x {Actors.Length} roles x scopes), "
            + $"{_cells.Count(c => c.Actual != Outcome.Denied)} allowed, {_cells.Count(c => c.Actual == Outcome.Denied)} denied; "
            + $"{unexpectedAllows} unexpected allows, {wrong.Count - unexpectedAllows} unexpected denials, {unaudited.Count} denials not audited");
        foreach (var c in wrong)
        {
            report.AppendLine(CultureInfo.InvariantCulture, $"  WRONG {c.Target} as {c.Actor} ({c.Scope}): expected {c.Expected}, got {c.Actual}");
        }

        foreach (var c in unaudited)
        {
            report.AppendLine(CultureInfo.InvariantCulture, $"  NOT AUDITED {c.Target} as {c.Actor} ({c.Scope})");
        }

        output.WriteLine(report.ToString());
        Assert.True(wrong.Count == 0 && unaudited.Count == 0, report.ToString());
        Assert.True(_cells.Count > 1000, $"only {_cells.Count} cells");
    }

    // ---------------------------------------------------------------- pages and HTTP endpoints

    /// <summary>Who may open what, from docs/specification.md: each area is its role's; MOH screens split between auditors and administrators.</summary>
    private enum Access
    {
        /// <summary>Anyone (sign-in pages, error pages, the token endpoint, the FHIR capability statement, the one-time-key connectivity test, health).</summary>
        Public,

        /// <summary>Any signed-in person, for their own account (the profile).</summary>
        SignedIn,

        /// <summary>A member of staff, for their own password, second factor and passkeys (patients have none: they use Singpass).</summary>
        Staff,
        Patient,

        /// <summary>A patient's data served by the endpoint itself (not a page whose circuit loads it): the patient, or someone acting for them now.</summary>
        PatientData,
        Clinician,
        ProviderAdmin,
        Moh,
        MohAuditor,
        MohAdmin,
        System,
    }

    private static readonly Dictionary<string, Access> RouteAccess = new(StringComparer.Ordinal)
    {
        ["GET /"] = Access.Public,
        ["GET /Error"] = Access.Public,
        ["GET /not-found"] = Access.Public,
        ["GET /Account/Login"] = Access.Public,
        ["GET /Account/LoginWith2fa"] = Access.Public,
        ["GET /Account/LoginWithRecoveryCode"] = Access.Public,
        ["GET /Account/AccessDenied"] = Access.Public,
        ["GET /Account/ForgotPassword"] = Access.Public,
        ["GET /Account/ForgotPasswordConfirmation"] = Access.Public,
        ["GET /Account/InvalidPasswordReset"] = Access.Public,
        ["GET /Account/InvalidUser"] = Access.Public,
        ["GET /Account/Lockout"] = Access.Public,
        ["GET /Account/ResetPassword"] = Access.Public,
        ["GET /Account/ResetPasswordConfirmation"] = Access.Public,
        ["POST /Account/Logout"] = Access.Public,
        ["POST /Account/PasskeyRequestOptions"] = Access.Public,
        ["POST /Account/PasskeyCreationOptions"] = Access.Staff,
        ["GET /.well-known/jwks.json"] = Access.Public,
        ["GET /Account/NationalIdentity/SignIn"] = Access.Public,
        ["GET /Account/NationalIdentity/Complete"] = Access.Public,
        ["GET /Account/NoRecord"] = Access.Public,
        // The development identity provider (Development and the test host only): it signs anyone in as anyone.
        ["GET /dev-idp/.well-known/openid-configuration"] = Access.Public,
        ["GET /dev-idp/jwks"] = Access.Public,
        ["POST /dev-idp/par"] = Access.Public,
        ["GET /dev-idp/authorize"] = Access.Public,
        ["POST /dev-idp/authorize"] = Access.Public,
        ["POST /dev-idp/token"] = Access.Public,
        ["POST /connect/token"] = Access.Public,
        ["GET /fhir/metadata"] = Access.Public,
        ["POST /api/onboarding/connectivity-test"] = Access.Public,
        ["GET /health/live"] = Access.Public,
        // Choosing a language: anyone, before sign-in too (kept with the account of whoever is signed in).
        ["POST /language"] = Access.Public,
        ["GET /health/ready"] = Access.Public,
        ["GET /Account/Manage"] = Access.SignedIn,
        ["GET /Account/Manage/ChangePassword"] = Access.Staff,
        ["GET /Account/Manage/Disable2fa"] = Access.Staff,
        ["GET /Account/Manage/EnableAuthenticator"] = Access.Staff,
        ["GET /Account/Manage/GenerateRecoveryCodes"] = Access.Staff,
        ["GET /Account/Manage/Passkeys"] = Access.Staff,
        ["GET /Account/Manage/RenamePasskey/{Id}"] = Access.Staff,
        ["GET /Account/Manage/ResetAuthenticator"] = Access.Staff,
        ["GET /Account/Manage/TwoFactorAuthentication"] = Access.Staff,
        ["GET /patient"] = Access.Patient,
        ["GET /patient/record"] = Access.Patient,
        ["GET /patient/access"] = Access.Patient,
        ["GET /patient/history"] = Access.Patient,
        ["GET /patient/notifications"] = Access.Patient,
        ["GET /patient/notifications/settings"] = Access.Patient,
        ["GET /patient/access-history.csv"] = Access.PatientData,
        ["POST /patient/acting-for"] = Access.Patient,
        ["GET /patient/summary.json"] = Access.PatientData,
        ["GET /patient/summary"] = Access.Patient,
        ["GET /patient/caregivers"] = Access.Patient,
        ["GET /patient/history/report/{Sequence:long}"] = Access.Patient,
        ["GET /patient/registrations/report/{Id:long}"] = Access.Patient,
        ["GET /clinician"] = Access.Clinician,
        ["GET /clinician/empty-page"] = Access.Clinician,
        ["GET /clinician/patients/{PatientId:int}"] = Access.Clinician,
        ["GET /admin/provider"] = Access.ProviderAdmin,
        ["GET /admin/provider/personnel"] = Access.ProviderAdmin,
        ["GET /admin/provider/registrations"] = Access.ProviderAdmin,
        ["GET /admin/provider/directives"] = Access.ProviderAdmin,
        ["GET /admin/provider/systems"] = Access.ProviderAdmin,
        ["GET /admin/moh"] = Access.Moh,
        ["GET /admin/moh/compliance"] = Access.Moh,
        ["GET /admin/moh/registrations"] = Access.Moh,
        ["GET /admin/moh/reviews"] = Access.MohAuditor,
        ["GET /admin/moh/reviews/overrides/{Id:long}"] = Access.MohAuditor,
        ["GET /admin/moh/reviews/reports/{Id:long}"] = Access.MohAuditor,
        ["GET /admin/moh/audit"] = Access.MohAuditor,
        ["GET /admin/moh/audit.csv"] = Access.MohAuditor,
        ["GET /admin/moh/alerts"] = Access.MohAuditor,
        ["GET /admin/moh/alerts/{Id:long}"] = Access.MohAuditor,
        ["GET /admin/moh/flags"] = Access.MohAdmin,
        ["GET /admin/moh/suspensions"] = Access.MohAdmin,
        ["GET /admin/moh/directives"] = Access.MohAdmin,
        ["GET /admin/moh/systems"] = Access.MohAdmin,
        ["GET /admin/moh/representatives"] = Access.MohAdmin,
        ["POST /fhir"] = Access.System,
        ["POST /fhir/Patient/$load"] = Access.System,
    };

    private static bool Opens(Access access, Actor actor) => access switch
    {
        Access.Public => true,
        Access.SignedIn => actor is not (Actor.Anonymous or Actor.ApiSystem),
        Access.Staff => actor is Actor.Clinician or Actor.ClinicianWithoutRegistration or Actor.ClinicianUnderOverride or Actor.ProviderAdmin or Actor.MohAuditor or Actor.MohAdmin,
        Access.Patient => PatientAccounts.Contains(actor),
        Access.PatientData => PatientLike.Contains(actor),
        Access.Clinician => actor is Actor.Clinician or Actor.ClinicianWithoutRegistration or Actor.ClinicianUnderOverride,
        Access.ProviderAdmin => actor == Actor.ProviderAdmin,
        Access.Moh => actor is Actor.MohAuditor or Actor.MohAdmin,
        Access.MohAuditor => actor == Actor.MohAuditor,
        Access.MohAdmin => actor == Actor.MohAdmin,
        Access.System => actor == Actor.ApiSystem,
        _ => false,
    };

    /// <summary>The routes of the running portal, without the framework's own (circuit hub, scripts, static files).</summary>
    private List<(string Method, string Pattern)> Routes()
    {
        var routes = new HashSet<(string, string)>();
        foreach (var endpoint in _portal.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var pattern = "/" + (endpoint.RoutePattern.RawText ?? string.Empty).TrimStart('/');
            var last = pattern[(pattern.LastIndexOf('/') + 1)..];
            if (pattern.StartsWith("/_", StringComparison.Ordinal) || pattern.EndsWith(":file}", StringComparison.Ordinal)
                || (last.Contains('.', StringComparison.Ordinal) && !last.EndsWith(".csv", StringComparison.Ordinal) && !last.EndsWith(".json", StringComparison.Ordinal)))
            {
                continue;
            }

            var methods = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"];
            routes.Add((methods.Contains("GET") ? "GET" : methods[0], pattern));
        }

        return [.. routes.OrderBy(r => r.Item2, StringComparer.Ordinal)];
    }

    private async Task RunHttpCellsAsync()
    {
        var routes = Routes();
        var unclassified = routes.Where(r => !RouteAccess.ContainsKey($"{r.Method} {r.Pattern}")).ToList();
        Assert.True(unclassified.Count == 0, "Classify these routes in the matrix: " + string.Join(", ", unclassified.Select(r => $"{r.Method} {r.Pattern}")));

        foreach (var (method, pattern) in routes)
        {
            var access = RouteAccess[$"{method} {pattern}"];
            Scope[] scopes = pattern.Contains("{PatientId", StringComparison.Ordinal) ? [Scope.Own, Scope.Other, Scope.Restricted] : [Scope.None];
            foreach (var actor in Actors)
            {
                foreach (var scope in scopes)
                {
                    var path = Fill(pattern, scope);
                    var before = await LastSequenceAsync();
                    HttpResponseMessage sent;
                    try
                    {
                        sent = await SendAsync(_clients[actor], method, path);
                    }
                    catch (Exception e)
                    {
                        throw new InvalidOperationException($"{method} {path} as {actor} failed on the server", e);
                    }

                    using var response = sent;
                    Assert.True((int)response.StatusCode < 500, $"{method} {path} as {actor}: {(int)response.StatusCode}");
                    var actual = access == Access.Public ? Outcome.Allowed : IsRefusal(response) ? Outcome.Denied : Outcome.Allowed;
                    var audited = actual == Outcome.Denied && await RefusalAuditedAsync(before, path, access == Access.System ? null : _userIds[actor], access == Access.PatientData);
                    _cells.Add(new Cell($"{method} {pattern}", actor, scope, Opens(access, actor) ? Outcome.Allowed : Outcome.Denied, actual, audited));
                }
            }
        }
    }

    private string Fill(string pattern, Scope scope) => pattern
        .Replace("{PatientId:int}", PatientOf(scope).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("reviews/overrides/{Id:long}", $"reviews/overrides/{_a.OverrideId}", StringComparison.Ordinal)
        .Replace("reviews/reports/{Id:long}", $"reviews/reports/{_a.ReportId}", StringComparison.Ordinal)
        .Replace("alerts/{Id:long}", "alerts/1", StringComparison.Ordinal)
        .Replace("registrations/report/{Id:long}", $"registrations/report/{_a.OwnRegistrationId}", StringComparison.Ordinal)
        .Replace("{Sequence:long}", _a.OwnEventSequence.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("{Id}", "AAAA", StringComparison.Ordinal);

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, string method, string path) => method == "GET"
        ? client.GetAsync(path)
        : client.PostAsync(path, path switch
        {
            "/fhir" => new StringContent("{\"resourceType\":\"Bundle\",\"type\":\"transaction\"}", Encoding.UTF8, "application/fhir+json"),
            "/fhir/Patient/$load" => new StringContent("{\"resourceType\":\"Patient\"}", Encoding.UTF8, "application/fhir+ndjson"),
            _ => new FormUrlEncodedContent([]),
        });

    /// <summary>A refusal: sent to sign in or to "access denied", or answered 401/403.</summary>
    private static bool IsRefusal(HttpResponseMessage response)
    {
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            return true;
        }

        var location = response.Headers.Location?.OriginalString ?? string.Empty;
        return (int)response.StatusCode is >= 300 and < 400
            && (location.Contains("/Account/Login?", StringComparison.Ordinal) || location.Contains("/Account/AccessDenied", StringComparison.Ordinal));
    }

    /// <param name="byCommand">The endpoint's own command may refuse (its event names the action, not the path).</param>
    private async Task<bool> RefusalAuditedAsync(long before, string path, string? userId, bool byCommand)
    {
        await using var db = _portal.CreateDbContext();
        return await db.AuditEvents.AnyAsync(e => e.Sequence > before && e.EventType == AuditEventTypes.ActionRefused
            && e.Outcome == AuditOutcome.Denied && e.ActorUserId == userId && (e.Details!.Contains("open " + path) || byCommand));
    }

    // ---------------------------------------------------------------- interactive handlers (what the pages' buttons call)

    private sealed record Handler(string Name, Scope[] Scopes, Func<IServiceProvider, AuditContext, Scope, Task<Outcome>> Run, Func<Actor, Scope, Outcome> Expect);

    private static Outcome AllowedIf(bool allowed) => allowed ? Outcome.Allowed : Outcome.Denied;

    private static readonly Scope[] RecordScopes = [Scope.Own, Scope.Other, Scope.Restricted];
    private static readonly Scope[] ProviderScopes = [Scope.Own, Scope.Other];
    private static readonly Scope[] NoScope = [Scope.None];

    /// <summary>The access decision of docs/specification.md for a clinical read: rules A1–A8 applied to the arranged people.</summary>
    private static Outcome Decision(Actor actor, Scope scope) => (actor, scope) switch
    {
        (Actor.Clinician, Scope.Own) => Outcome.Full,
        (Actor.Clinician, Scope.Restricted) => Outcome.BasicSetOnly,
        (Actor.ClinicianUnderOverride, Scope.Own) => Outcome.Full,
        (Actor.ClinicianUnderOverride, Scope.Restricted) => Outcome.Full,
        _ => Outcome.Denied,
    };

    private static Outcome Level(AccessLevel level) => level switch
    {
        AccessLevel.Full => Outcome.Full,
        AccessLevel.BasicSetOnly => Outcome.BasicSetOnly,
        _ => Outcome.Denied,
    };

    private int PatientOf(Scope scope) => scope switch
    {
        Scope.Own => _a.OpenPatientId,
        Scope.Restricted => _a.RestrictedPatientId,
        _ => _a.UnregisteredPatientId,
    };

    private Nric NricOf(Scope scope) => scope switch
    {
        Scope.Own => _a.OpenNric,
        Scope.Restricted => _a.RestrictedNric,
        _ => _a.UnregisteredNric,
    };

    private List<Handler> Handlers()
    {
        static Func<Actor, Scope, Outcome> Only(params Actor[] allowed) => (actor, scope) => AllowedIf(allowed.Contains(actor) && scope != Scope.Other);
        static async Task<Outcome> Done(Task task)
        {
            await task;
            return Outcome.Allowed;
        }

        var justification = "Patient collapsed in the emergency department; allergies and medications are needed before treatment.";
        return
        [
            // Clinicians (specification: who may see what; emergency override).
            new("find a patient by NRIC", RecordScopes,
                async (s, who, scope) => Level((await s.GetRequiredService<PatientLookup>().FindByNricAsync(who, NricOf(scope))).Decision.Level), Decision),
            new("open a record", RecordScopes,
                async (s, who, scope) => Level((await s.GetRequiredService<RecordGate>().OpenAsync(new RecordRequest(who, PatientOf(scope), PurposeOfUse.Treatment))).Decision.Level), Decision),
            new("read a page of medications", RecordScopes,
                async (s, who, scope) => Level((await s.GetRequiredService<RecordGate>().ReadPageAsync(new RecordRequest(who, PatientOf(scope), PurposeOfUse.Treatment), EntryKind.Medication, 1)).Decision.Level), Decision),
            new("open a record for an insurance payment", RecordScopes,
                async (s, who, scope) => Level((await s.GetRequiredService<RecordGate>().OpenAsync(new RecordRequest(who, PatientOf(scope), PurposeOfUse.InsurancePayment))).Decision.Level), (_, _) => Outcome.Denied),

            // Patients (specification: own record, restriction, access history, report, notices). No handler takes a patient id.
            new("open own record", NoScope,
                async (s, who, _) => Level((await s.GetRequiredService<RecordGate>().OpenOwnRecordAsync(who)).Decision.Level), (a, _) => PatientLike.Contains(a) ? Outcome.Full : Outcome.Denied),
            new("take a summary of own record", NoScope,
                async (s, who, _) => Level((await s.GetRequiredService<RecordGate>().ExportOwnRecordAsync(who, "ips-json")).Decision.Level), (a, _) => PatientLike.Contains(a) ? Outcome.Full : Outcome.Denied),
            new("read own access settings", NoScope, (s, who, _) => Done(s.GetRequiredService<RestrictionService>().GetOwnAsync(who)), Only(PatientLike)),
            // A stale version: the patient passes the check and is then told to reload, so nothing changes.
            new("change own access settings", NoScope, (s, who, _) => Done(s.GetRequiredService<RestrictionService>().ChangeOwnAsync(who, RestrictionMode.RestrictAll, [], -1)), Only(PatientLike)),
            new("read own access history", NoScope, (s, who, _) => Done(s.GetRequiredService<AccessHistory>().PageAsync(who, new HistoryFilter(), 1, 25)), Only(PatientLike)),
            new("read own access history as visits", NoScope, (s, who, _) => Done(s.GetRequiredService<AccessHistory>().VisitsAsync(who, new HistoryFilter(), 1, 25)), Only(PatientLike)),
            new("export own access history as visits", NoScope, (s, who, _) => Done(s.GetRequiredService<AccessHistory>().ExportVisitsAsync(who, new HistoryFilter())), Only(PatientLike)),
            new("show an access to report", NoScope, (s, who, _) => Done(s.GetRequiredService<AccessHistory>().VisitOfAsync(who, _a.OwnEventSequence)), Only(PatientLike)),
            new("list providers in own access history", NoScope, (s, who, _) => Done(s.GetRequiredService<AccessHistory>().ProvidersAsync(who)), Only(PatientLike)),
            new("export own access history", NoScope, async (s, who, _) =>
            {
                await foreach (var row in s.GetRequiredService<AccessHistory>().ExportAsync(who, new HistoryFilter()))
                {
                }

                return Outcome.Allowed;
            }, Only(PatientLike)),
            new("report an access", ProviderScopes,
                (s, who, scope) => Done(s.GetRequiredService<AccessReportService>().ReportAsync(who, scope == Scope.Own ? _a.OwnEventSequence : _a.OtherPatientsEventSequence, "Not me")),
                // The "other" access is to the record of the patient the representative acts for: theirs to report then.
                (actor, scope) => AllowedIf((actor == Actor.Patient && scope == Scope.Own) || (actor == Actor.RepresentativeActing && scope == Scope.Other))),
            // A registration that is not the caller's own (the hospital administrator's registration of another patient) is refused.
            new("report someone else's registration", NoScope,
                (s, who, _) => Done(s.GetRequiredService<AccessReportService>().ReportRegistrationAsync(who, _a.OwnRegistrationId, "Not me")), (_, _) => Outcome.Denied),
            new("show a registration to report", NoScope, (s, who, _) => Done(s.GetRequiredService<AccessReportService>().RegistrationAsync(who, _a.OwnRegistrationId)), Only(PatientLike)),
            new("count unread notices", NoScope, (s, who, _) => Done(s.GetRequiredService<NoticeBoard>().UnreadCountAsync(who)), Only(PatientAccounts)),
            new("read notices", NoScope, (s, who, _) => Done(s.GetRequiredService<NoticeBoard>().LatestAsync(who)), Only(PatientAccounts)),
            new("mark notices read", NoScope, (s, who, _) => Done(s.GetRequiredService<NoticeBoard>().MarkAllReadAsync(who)), Only(PatientAccounts)),

            // Caregivers and representatives (specification: rules K1-K7): a person's own relationships; MOH records appointments.
            new("list own caregivers and representatives", NoScope, (s, who, _) => Done(s.GetRequiredService<RepresentationService>().MineAsync(who)), Only(PatientAccounts)),
            // Acting for someone, an invitation is refused as input (switch back first): past the access check.
            new("invite a caregiver", NoScope, (s, who, _) => Done(s.GetRequiredService<RepresentationService>().InviteAsync(who, _a.SpareNric.Value, RepresentativePowers.SeeRecord)), Only(PatientAccounts)),
            new("act for a patient", NoScope, (s, who, _) => Done(s.GetRequiredService<RepresentationService>().BeginActingAsync(who, _a.RepresentationId)),
                Only(Actor.RepresentativeActing, Actor.RepresentativeNotActing, Actor.RepresentativeExpired)),
            new("record an appointed representative", NoScope, (s, who, _) => Done(s.GetRequiredService<RepresentationService>().AppointAsync(who, new NewAppointment(
                _a.OpenNric.Value, _a.SpareNric.Value, RepresentationKind.CourtDeputy, "MATRIX/OSM/1", DateOnly.FromDateTime(DateTime.UtcNow.AddDays(60)), RepresentativePowers.SeeRecord))), Only(Actor.MohAdmin)),
            new("list appointed representatives", NoScope, (s, who, _) => Done(s.GetRequiredService<RepresentationService>().AppointmentsAsync(who)), Only(Actor.MohAdmin)),
            new("end an appointed representative", NoScope, (s, who, _) => Done(s.GetRequiredService<RepresentationService>().EndAppointmentAsync(who, _a.AppointmentId, "Matrix: the order was revoked.")), Only(Actor.MohAdmin)),

            // Provider administrators (specification: personnel, registrations, system applications; their own provider only).
            new("list personnel", NoScope, (s, who, _) => Done(s.GetRequiredService<ProviderAdministration>().PersonnelAsync(who)), Only(Actor.ProviderAdmin)),
            new("create a staff account", NoScope, (s, who, _) => Done(s.GetRequiredService<ProviderAdministration>().CreateAccountAsync(who,
                new NewStaffMember("Matrix New Doctor", $"new.{Guid.NewGuid():N}@cgh.example.sg", ProfessionalRole.Doctor, true, Roles.Clinician))), Only(Actor.ProviderAdmin)),
            new("change a person's role", ProviderScopes, (s, who, scope) => Done(s.GetRequiredService<ProviderAdministration>().ChangeRoleAsync(who,
                scope == Scope.Own ? _a.OwnTargetPersonnelId : _a.OtherProviderPersonnelId, ProfessionalRole.Doctor, true)), Only(Actor.ProviderAdmin)),
            new("record a person's NRIC", ProviderScopes, (s, who, scope) => Done(s.GetRequiredService<ProviderAdministration>().SetNricAsync(who,
                scope == Scope.Own ? _a.OwnTargetPersonnelId : _a.OtherProviderPersonnelId, _a.SpareNric.Value)), Only(Actor.ProviderAdmin)),
            new("deactivate a leaver", ProviderScopes, (s, who, scope) => Done(s.GetRequiredService<ProviderAdministration>().DeactivateAsync(who,
                scope == Scope.Own ? _a.OwnLeaverPersonnelId : _a.OtherProviderPersonnelId)), Only(Actor.ProviderAdmin)),
            new("list registrations", NoScope, (s, who, _) => Done(s.GetRequiredService<ProviderAdministration>().RegistrationsAsync(who, null, 1)), Only(Actor.ProviderAdmin)),
            new("register a patient", NoScope, (s, who, _) => Done(s.GetRequiredService<ProviderAdministration>().RegisterPatientAsync(who, _a.SpareNric.Value, DemoWorld.RegistrationEnd(_portal))), Only(Actor.ProviderAdmin)),
            new("end a registration", ProviderScopes, (s, who, scope) => Done(s.GetRequiredService<ProviderAdministration>().EndRegistrationAsync(who,
                scope == Scope.Own ? _a.OwnRegistrationId : _a.OtherRegistrationId)), Only(Actor.ProviderAdmin)),
            new("acknowledge a directive", ProviderScopes, (s, who, scope) => Done(s.GetRequiredService<CorrectiveActions>().AcknowledgeAsync(who,
                scope == Scope.Own ? _a.OwnDirectiveId : _a.OtherDirectiveId)), Only(Actor.ProviderAdmin)),
            new("attest a directive done", ProviderScopes, (s, who, scope) => Done(s.GetRequiredService<CorrectiveActions>().AttestDoneAsync(who,
                scope == Scope.Own ? _a.OwnDirectiveId : _a.OtherDirectiveId, "All copies destroyed on 24 Nov; the staff concerned were retrained.")), Only(Actor.ProviderAdmin)),
            new("apply to connect a system", NoScope, (s, who, _) => Done(s.GetRequiredService<SystemOnboarding>().ApplyAsync(who, $"Matrix EMR {Guid.NewGuid():N}"[..20])), Only(Actor.ProviderAdmin)),
            new("issue a connectivity key", ProviderScopes, (s, who, scope) => Done(s.GetRequiredService<SystemOnboarding>().NewConnectivityKeyAsync(who,
                scope == Scope.Own ? _a.OwnSystemId : _a.OtherSystemId)), Only(Actor.ProviderAdmin)),
            // Shared lists: a provider administrator sees their provider's, MOH sees all.
            new("list directives", NoScope, (s, who, _) => Done(s.GetRequiredService<CorrectiveActions>().DirectivesAsync(who)), Only(Actor.ProviderAdmin, Actor.MohAuditor, Actor.MohAdmin)),
            new("list system connections", NoScope, (s, who, _) => Done(s.GetRequiredService<SystemOnboarding>().SystemsAsync(who)), Only(Actor.ProviderAdmin, Actor.MohAuditor, Actor.MohAdmin)),
            new("list own systems' refused contributions", NoScope, (s, who, _) => Done(s.GetRequiredService<ContributionReports>().RefusalsAsync(who)), Only(Actor.ProviderAdmin)),
            new("list own identity mismatches", NoScope, (s, who, _) => Done(s.GetRequiredService<ContributionReports>().IdentityMismatchesAsync(who)), Only(Actor.ProviderAdmin)),

            // MOH auditors (specification: review queue, reported accesses, audit search, verification).
            new("review queue summary", NoScope, (s, who, _) => Done(s.GetRequiredService<ReviewQueue>().SummaryAsync(who)), Only(Actor.MohAuditor)),
            new("list overrides to review", NoScope, (s, who, _) => Done(s.GetRequiredService<ReviewQueue>().OverridesAsync(who, true)), Only(Actor.MohAuditor)),
            new("list reported accesses", NoScope, (s, who, _) => Done(s.GetRequiredService<ReviewQueue>().ReportsAsync(who, true)), Only(Actor.MohAuditor)),
            new("look at an override", NoScope, (s, who, _) => Done(s.GetRequiredService<ReviewQueue>().OverrideAsync(who, _a.OverrideId)), Only(Actor.MohAuditor)),
            new("look at a reported access", NoScope, (s, who, _) => Done(s.GetRequiredService<ReviewQueue>().ReportAsync(who, _a.ReportId)), Only(Actor.MohAuditor)),
            // No verdict given (refused as input after the check): the override stays pending for the other cells.
            new("give an override verdict", NoScope, (s, who, _) => Done(s.GetRequiredService<ReviewQueue>().ReviewOverrideAsync(who, _a.OverrideId, null, null, null)), Only(Actor.MohAuditor)),
            // Not referred (input refused after the check): nothing is recorded for the other cells.
            new("record a professional body's outcome", NoScope, (s, who, _) => Done(s.GetRequiredService<ReviewQueue>().RecordReferralOutcomeAsync(who, _a.OverrideId, null, null, null)), Only(Actor.MohAuditor)),
            new("close a reported access", NoScope, (s, who, _) => Done(s.GetRequiredService<ReviewQueue>().CloseReportAsync(who, _a.ReportId, null, null)), Only(Actor.MohAuditor)),
            new("search the audit trail", NoScope, (s, who, _) => Done(s.GetRequiredService<AuditSearch>().SearchAsync(who, new AuditQuery(PatientNric: _a.OpenNric.Value), 1)), Only(Actor.MohAuditor)),
            new("export an audit search", NoScope, async (s, who, _) =>
            {
                await foreach (var row in s.GetRequiredService<AuditSearch>().ExportAsync(who, new AuditQuery(PatientNric: _a.OpenNric.Value)))
                {
                }

                return Outcome.Allowed;
            }, Only(Actor.MohAuditor)),
            new("list alert cases", NoScope, (s, who, _) => Done(s.GetRequiredService<AlertCases>().QueueAsync(who, true)), Only(Actor.MohAuditor)),
            new("alert outcomes per rule", NoScope, (s, who, _) => Done(s.GetRequiredService<AlertCases>().StatisticsAsync(who)), Only(Actor.MohAuditor)),
            new("look at an alert case", NoScope, (s, who, _) => Done(s.GetRequiredService<AlertCases>().CaseAsync(who, 1)), Only(Actor.MohAuditor)),
            new("close an alert case", NoScope, (s, who, _) => Done(s.GetRequiredService<AlertCases>().CloseAsync(who, 1, null, null)), Only(Actor.MohAuditor)),
            new("judge a period of the trail again", NoScope, (s, who, _) => Done(s.GetRequiredService<AlertCases>().RecomputeAsync(who, null, null)), Only(Actor.MohAuditor)),
            new("verify the audit trail", NoScope, (s, who, _) => Done(s.GetRequiredService<AuditSearch>().VerifyAsync(who)), Only(Actor.MohAuditor)),
            new("prove an event is in the signed log", NoScope, (s, who, _) => Done(s.GetRequiredService<AuditSearch>().ProveAsync(who, 1)), Only(Actor.MohAuditor)),

            // Both MOH roles (specification: dashboard, contribution compliance).
            new("oversight figures", NoScope, (s, who, _) => Done(s.GetRequiredService<OversightDashboard>().FiguresAsync(who)), Only(Actor.MohAuditor, Actor.MohAdmin)),
            new("registrations per provider and their ratio to contributions", NoScope, (s, who, _) => Done(s.GetRequiredService<RegistrationOversight>().FiguresAsync(who)), Only(Actor.MohAuditor, Actor.MohAdmin)),
            new("contribution compliance", NoScope, (s, who, _) => Done(s.GetRequiredService<OversightDashboard>().ComplianceAsync(who)), Only(Actor.MohAuditor, Actor.MohAdmin)),
            new("identity mismatches of every provider", NoScope, (s, who, _) => Done(s.GetRequiredService<OversightDashboard>().IdentityMismatchesAsync(who)), Only(Actor.MohAuditor, Actor.MohAdmin)),
            new("list providers", NoScope, (s, who, _) => Done(s.GetRequiredService<CorrectiveActions>().ProvidersAsync(who)), Only(Actor.MohAuditor, Actor.MohAdmin)),

            // MOH administrators (specification: corrective actions, system approval).
            new("list flagged records", NoScope, (s, who, _) => Done(s.GetRequiredService<AlertCases>().FlaggedAsync(who)), Only(Actor.MohAdmin)),
            new("flag a record", NoScope, (s, who, _) => Done(s.GetRequiredService<AlertCases>().FlagAsync(who, null, null, null)), Only(Actor.MohAdmin)),
            new("remove a record's flag", NoScope, (s, who, _) => Done(s.GetRequiredService<AlertCases>().UnflagAsync(who, 1)), Only(Actor.MohAdmin)),
            new("find people to suspend", NoScope, (s, who, _) => Done(s.GetRequiredService<CorrectiveActions>().FindPeopleAsync(who, "Matrix")), Only(Actor.MohAdmin)),
            new("suspend a person", NoScope, (s, who, _) => Done(s.GetRequiredService<CorrectiveActions>().SetPersonSuspendedAsync(who, _a.OwnTargetPersonnelId, true, "Matrix: suspected misuse under investigation.")), Only(Actor.MohAdmin)),
            new("suspend a provider", NoScope, (s, who, _) => Done(s.GetRequiredService<CorrectiveActions>().SetProviderSuspendedAsync(who, _a.QuietProviderId, true, "Matrix: unauthorised use under investigation.", "Harbourfront Heart Specialists")), Only(Actor.MohAdmin)),
            new("issue a directive", NoScope, (s, who, _) => Done(s.GetRequiredService<CorrectiveActions>().IssueDirectiveAsync(who, _a.QuietProviderId,
                DirectiveKind.StopUnauthorisedUse, "Stop using NEHR data for marketing at once.", DateOnly.FromDateTime(DateTime.UtcNow.AddDays(30)))), Only(Actor.MohAdmin)),
            new("tick a system's security checklist", NoScope, (s, who, _) => Done(s.GetRequiredService<SystemOnboarding>().SetSecurityItemsAsync(who, _a.OtherSystemId, SecurityItem.TransportEncryption)), Only(Actor.MohAdmin)),
            new("approve a system", NoScope, (s, who, _) => Done(s.GetRequiredService<SystemOnboarding>().ApproveAsync(who, _a.OtherSystemId)), Only(Actor.MohAdmin)),
            new("suspend a system", NoScope, (s, who, _) => Done(s.GetRequiredService<SystemOnboarding>().SuspendAsync(who, _a.OtherSystemId)), Only(Actor.MohAdmin)),
            new("reinstate a system", NoScope, (s, who, _) => Done(s.GetRequiredService<SystemOnboarding>().ReinstateAsync(who, _a.OtherSystemId)), Only(Actor.MohAdmin)),
            new("revoke a system", NoScope, (s, who, _) => Done(s.GetRequiredService<SystemOnboarding>().RevokeAsync(who, _a.OtherSystemId)), Only(Actor.MohAdmin)),

            // Last: a granted override changes what the other record cells would see.
            new("break the glass", RecordScopes, (s, who, scope) => Done(s.GetRequiredService<EmergencyOverrideService>().GrantAsync(
                new OverrideRequest(who, PatientOf(scope), OverrideReason.LifeThreateningCondition, justification, true))),
                (actor, scope) => AllowedIf(actor == Actor.Clinician && scope == Scope.Restricted)),
            // After it: only a clinician who holds an override (of the restricted patient) can end it.
            new("end an override now", RecordScopes, (s, who, scope) => Done(s.GetRequiredService<EmergencyOverrideService>().EndAsync(
                new EndOverrideRequest(who, PatientOf(scope)))),
                (actor, scope) => AllowedIf((actor is Actor.Clinician or Actor.ClinicianUnderOverride) && scope == Scope.Restricted)),
        ];
    }

    private async Task RunHandlerCellsAsync()
    {
        foreach (var handler in Handlers())
        {
            foreach (var actor in Actors)
            {
                foreach (var scope in handler.Scopes)
                {
                    var who = new AuditContext(_userIds[actor], "127.0.0.1", Guid.NewGuid().ToString("N")) { RepresentationId = RepresentationOf(actor) };
                    var before = await LastSequenceAsync();
                    Outcome actual;
                    await using (var services = _portal.Services.CreateAsyncScope())
                    {
                        try
                        {
                            actual = await handler.Run(services.ServiceProvider, who, scope);
                        }
                        catch (AccessRefusedException)
                        {
                            actual = Outcome.Denied;
                        }
                        catch (DomainException)
                        {
                            // Past the access check, refused as input (a stale version, a step out of order): not a refusal of access.
                            actual = Outcome.Allowed;
                        }
                    }

                    var audited = actual == Outcome.Denied && await DeniedEventAsync(before, who);
                    _cells.Add(new Cell(handler.Name, actor, scope, handler.Expect(actor, scope), actual, audited));
                }
            }
        }
    }

    private async Task<bool> DeniedEventAsync(long before, AuditContext who)
    {
        await using var db = _portal.CreateDbContext();
        return await db.AuditEvents.AnyAsync(e => e.Sequence > before && e.Outcome == AuditOutcome.Denied
            && e.ActorUserId == who.UserId && e.CorrelationId == who.CorrelationId);
    }

    private async Task<long> LastSequenceAsync()
    {
        await using var db = _portal.CreateDbContext();
        return await db.AuditEvents.MaxAsync(e => (long?)e.Sequence) ?? 0;
    }

    // ---------------------------------------------------------------- arrangement

    private async Task<Arrangement> ArrangeAsync(DemoWorld world)
    {
        var admin = DemoWorld.As(world.AdminUserId);
        var mohAdmin = DemoWorld.As(world.MohAdminUserId);
        await using var scope = _portal.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var administration = services.GetRequiredService<ProviderAdministration>();
        await using var db = _portal.CreateDbContext();

        // Two generated patients registered only with the hospital: one loses that registration (registered nowhere:
        // "other" for every clinician), the other is for the administrator to register again.
        var onlyAtHospital = await db.CareRegistrations.AsNoTracking().Where(r => r.EndedAtUtc == null)
            .GroupBy(r => r.PatientId).Where(g => g.Count() == 1 && g.All(r => r.ProviderId == world.HospitalId)).Select(g => g.Key)
            .Where(id => id != world.OpenPatientId && id != world.RestrictedPatientId && id != world.SelectivePatientId)
            .OrderBy(id => id).Take(3).ToListAsync();
        var registrations = await db.CareRegistrations.AsNoTracking().Where(r => onlyAtHospital.Contains(r.PatientId)).ToListAsync();
        await administration.EndRegistrationAsync(admin, registrations.Single(r => r.PatientId == onlyAtHospital[0]).Id);
        await administration.EndRegistrationAsync(admin, registrations.Single(r => r.PatientId == onlyAtHospital[1]).Id);
        var nrics = await db.Patients.AsNoTracking().ToDictionaryAsync(p => p.Id, p => p.Nric);
        var polyclinicId = await db.Personnel.Where(p => p.Id == db.Users.Where(u => u.Id == world.NurseUserId).Select(u => u.PersonnelId).Single()).Select(p => p.ProviderId).SingleAsync();
        var otherRegistration = await db.CareRegistrations.AsNoTracking()
            .Where(r => r.ProviderId == polyclinicId && r.EndedAtUtc == null && r.PatientId != world.OpenPatientId && r.PatientId != world.RestrictedPatientId && r.PatientId != world.SelectivePatientId)
            .Select(r => r.Id).FirstAsync();
        var quietProvider = await db.Providers.AsNoTracking().Where(p => p.Code == ProviderCode.Parse("HSC01")).Select(p => p.Id).SingleAsync();

        // Accesses for the patient to report: one already reported (a case for the auditors), one for the matrix, and one
        // to another patient's record.
        var gate = services.GetRequiredService<RecordGate>();
        var doctor = DemoWorld.As(world.DoctorUserId);
        var reported = (await gate.OpenAsync(new RecordRequest(doctor, world.OpenPatientId, PurposeOfUse.Treatment))).AuditSequence;
        var ownEvent = (await gate.OpenAsync(new RecordRequest(doctor, world.OpenPatientId, PurposeOfUse.Treatment))).AuditSequence;
        var otherEvent = (await gate.OpenAsync(new RecordRequest(doctor, world.SelectivePatientId, PurposeOfUse.Treatment))).AuditSequence;
        var report = await services.GetRequiredService<AccessReportService>().ReportAsync(DemoWorld.As(world.PatientUserId), reported, "I do not know this doctor.");

        // The nurse breaks the glass on the restricted patient: "clinician under override".
        var granted = await services.GetRequiredService<EmergencyOverrideService>().GrantAsync(new OverrideRequest(
            DemoWorld.As(world.NurseUserId), world.RestrictedPatientId, OverrideReason.UnconsciousPatient,
            "Brought in unconscious after a fall; need allergies and current medications before giving anything.", true));

        // Staff of the hospital to change, deactivate and suspend, and a registration of its own to end.
        var target = await administration.CreateAccountAsync(admin, new NewStaffMember("Matrix Target", "matrix.target@cgh.example.sg", ProfessionalRole.Doctor, true, Roles.Clinician));
        var leaver = await administration.CreateAccountAsync(admin, new NewStaffMember("Matrix Leaver", "matrix.leaver@cgh.example.sg", ProfessionalRole.Nurse, true, Roles.Clinician));
        var ownRegistration = await administration.RegisterPatientAsync(admin, nrics[onlyAtHospital[1]].Value, DemoWorld.RegistrationEnd(_portal));
        var nursePersonnel = await db.Users.Where(u => u.Id == world.NurseUserId).Select(u => u.PersonnelId!.Value).SingleAsync();

        // Directives to the hospital and to the polyclinic.
        var actions = services.GetRequiredService<CorrectiveActions>();
        var deadline = DateOnly.FromDateTime(DateTime.UtcNow.AddDays(14));
        var ownDirective = await actions.IssueDirectiveAsync(mohAdmin, world.HospitalId, DirectiveKind.DestroyUnauthorisedInformation, "Destroy the printed copies of NEHR records.", deadline);
        var otherDirective = await actions.IssueDirectiveAsync(mohAdmin, polyclinicId, DirectiveKind.StopUnauthorisedUse, "Stop querying NEHR for staff health screening.", deadline);

        // A system application of the hospital, and one of the polyclinic (through an administrator made for it).
        var onboarding = services.GetRequiredService<SystemOnboarding>();
        var ownSystem = await onboarding.ApplyAsync(admin, "Matrix CGH lab system");
        var polyclinicAdmin = await CreatePolyclinicAdministratorAsync(services, polyclinicId);
        var otherSystem = await onboarding.ApplyAsync(DemoWorld.As(polyclinicAdmin), "Matrix NSP clinic system");

        // A person of the register who represents two patients: the selective patient (current, everything allowed) and
        // the restricted patient (ended once the sessions are made); and an appointment for MOH to end.
        var representative = await db.Patients.AsNoTracking()
            .Where(p => !db.Users.Any(u => u.PatientId == p.Id) && !onlyAtHospital.Contains(p.Id) && !p.IsDeceased)
            .OrderByDescending(p => p.Id).FirstAsync();
        (await _portal.SignedInPersonAsync(representative.Nric.Value)).Dispose();
        var representativeUser = await db.Users.Where(u => u.PatientId == representative.Id).Select(u => u.Id).SingleAsync();
        var representatives = services.GetRequiredService<RepresentationService>();
        var current = await representatives.InviteAsync(DemoWorld.As(world.SelectiveUserId), representative.Nric.Value, RepresentativePowers.All);
        await representatives.AcceptAsync(DemoWorld.As(representativeUser), current);
        var toEnd = await representatives.InviteAsync(DemoWorld.As(world.RestrictedUserId), representative.Nric.Value, RepresentativePowers.All);
        await representatives.AcceptAsync(DemoWorld.As(representativeUser), toEnd);
        var appointment = await representatives.AppointAsync(mohAdmin, new NewAppointment(nrics[onlyAtHospital[0]].Value, nrics[onlyAtHospital[2]].Value,
            RepresentationKind.LpaDonee, "MATRIX-LPA-1", DateOnly.FromDateTime(DateTime.UtcNow.AddDays(90)), RepresentativePowers.SeeRecord));

        return new Arrangement(
            world.OpenPatientId, world.RestrictedPatientId, onlyAtHospital[0], nrics[world.OpenPatientId], nrics[world.RestrictedPatientId],
            nrics[onlyAtHospital[0]], nrics[onlyAtHospital[2]], ownEvent, otherEvent, granted.Id, report.Id,
            target.PersonnelId, leaver.PersonnelId, nursePersonnel, ownRegistration.Id, otherRegistration,
            ownDirective.Id, otherDirective.Id, ownSystem.System.Id, otherSystem.System.Id, quietProvider,
            representativeUser, representative.Nric.Value, current, toEnd, appointment);
    }

    private async Task<string> CreatePolyclinicAdministratorAsync(IServiceProvider services, int polyclinicId)
    {
        await using var db = _portal.CreateDbContext();
        var person = new Personnel(polyclinicId, "Matrix Polyclinic Admin", ProfessionalRole.Administrator, involvedInCare: false);
        db.Personnel.Add(person);
        await db.SaveChangesAsync();
        var users = services.GetRequiredService<UserManager<ApplicationUser>>();
        var user = new ApplicationUser { UserName = "matrix.admin@nsp.example.sg", Email = "matrix.admin@nsp.example.sg", DisplayName = "Matrix Polyclinic Admin", PersonnelId = person.Id };
        Assert.True((await users.CreateAsync(user, DemoAccounts.Password)).Succeeded);
        Assert.True((await users.AddToRoleAsync(user, Roles.ProviderAdmin)).Succeeded);
        return user.Id;
    }

    public Task DisposeAsync()
    {
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }

        _portal.Dispose();
        return Task.CompletedTask;
    }
}
