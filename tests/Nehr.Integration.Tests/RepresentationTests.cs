using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Nehr.Core;
using Nehr.Core.Access;
using Nehr.Core.Audit;
using Nehr.Core.Data;
using Nehr.Core.Notifications;
using Nehr.Core.Records;
using Nehr.Core.Representatives;

namespace Nehr.Integration.Tests;

/// <summary>
/// Caregivers and representatives: a caregiver the patient invites, a parent from the population register, a deputy
/// recorded by MOH. Each acts as themselves, only as allowed and only while the relationship lasts (checked at every
/// request), audited with both people, and the patient sees what they did.
/// </summary>
public sealed class RepresentationTests : IAsyncLifetime
{
    private readonly PortalFactory _portal = new();
    private DemoWorld _world = null!;

    public async Task InitializeAsync() => _world = await DemoWorld.LoadAsync(_portal);

    public Task DisposeAsync()
    {
        _portal.Dispose();
        return Task.CompletedTask;
    }

    private Task<T> WithAsync<T>(Func<RepresentationService, Task<T>> use) => _portal.WithAsync(use);

    private Task<(string UserId, int PersonId, Nric Nric)> NewPersonAsync(int skip = 0) => _portal.NewPatientAccountAsync(_world, skip);

    /// <summary>The patient invites the caregiver with <paramref name="powers"/>, and the caregiver accepts: a current relationship.</summary>
    private async Task<long> CaregiverAsync(string patientUserId, (string UserId, int PersonId, Nric Nric) caregiver, RepresentativePowers powers)
    {
        var id = await WithAsync(s => s.InviteAsync(DemoWorld.As(patientUserId), caregiver.Nric.Value, powers));
        await WithAsync(async s =>
        {
            await s.AcceptAsync(DemoWorld.As(caregiver.UserId), id);
            return true;
        });
        return id;
    }

    private static AuditContext Acting(string userId, long representationId) => DemoWorld.As(userId) with { RepresentationId = representationId };

    private Task<RecordView> OpenAsync(AuditContext who) => _portal.WithAsync<RecordGate, RecordView>(g => g.OpenOwnRecordAsync(who));

    private async Task<int> CountAsync()
    {
        await using var db = _portal.CreateDbContext();
        return await db.Representations.CountAsync();
    }

    [Fact]
    public async Task An_invited_caregiver_accepts_acts_only_as_allowed_the_patient_sees_everything_and_either_side_ends_it()
    {
        var caregiver = await NewPersonAsync();
        var patient = DemoWorld.As(_world.PatientUserId);
        var id = await WithAsync(s => s.InviteAsync(patient, caregiver.Nric.Value, RepresentativePowers.SeeRecord | RepresentativePowers.SeeAccessHistory));

        // Before accepting, the invitation gives nothing.
        await Assert.ThrowsAsync<AccessRefusedException>(() => OpenAsync(Acting(caregiver.UserId, id)));
        var mine = await WithAsync(s => s.MineAsync(DemoWorld.As(caregiver.UserId)));
        Assert.Equal(id, Assert.Single(mine.InvitationsToMe).Id);
        await WithAsync(async s =>
        {
            await s.AcceptAsync(DemoWorld.As(caregiver.UserId), id);
            return true;
        });

        // Acting: the patient's record, read as the caregiver, audited with both.
        var acting = Acting(caregiver.UserId, id);
        var view = await OpenAsync(acting);
        Assert.Equal(_world.OpenPatientId, view.Patient!.Id);
        Assert.Equal(DecisionReason.RepresentedPatient, view.Decision.Reason);
        await using (var db = _portal.CreateDbContext())
        {
            var read = await db.AuditEvents.SingleAsync(e => e.Sequence == view.AuditSequence);
            Assert.Equal((caregiver.UserId, "Representative", _world.OpenPatientId), (read.ActorUserId, read.ActorRole, read.PatientId));
            Assert.Contains($"representation={id}", read.Details, StringComparison.Ordinal);
            Assert.Contains($"representative={caregiver.PersonId}", read.Details, StringComparison.Ordinal);
        }

        // Not acting, the caregiver sees their own record.
        Assert.Equal(caregiver.PersonId, (await OpenAsync(DemoWorld.As(caregiver.UserId))).Patient!.Id);

        // What was not allowed is refused, audited, and changes nothing.
        var settings = await _portal.WithAsync<RestrictionService, RestrictionSettings>(r => r.GetOwnAsync(patient));
        var refused = await Assert.ThrowsAsync<AccessRefusedException>(() => _portal.WithAsync<RestrictionService, RestrictionChange?>(
            r => r.ChangeOwnAsync(acting, RestrictionMode.RestrictAll, [], settings.Version)));
        Assert.Contains("it does not allow this", refused.Message, StringComparison.Ordinal);
        await using (var db = _portal.CreateDbContext())
        {
            Assert.Equal(settings.Mode, (await db.Patients.SingleAsync(p => p.Id == _world.OpenPatientId)).RestrictionMode);
            var denied = await db.AuditEvents.OrderBy(e => e.Sequence).LastAsync(e => e.EventType == AuditEventTypes.ActionRefused);
            Assert.Equal((caregiver.UserId, "Representative", _world.OpenPatientId), (denied.ActorUserId, denied.ActorRole, denied.PatientId));
        }

        // The patient sees what the caregiver did, and was told of the acceptance.
        _ = await _portal.WithAsync<AccessHistory, HistoryPage>(h => h.PageAsync(acting, new HistoryFilter(), 1, 10));
        var activity = await _portal.WithAsync<AccessHistory, IReadOnlyList<RepresentativeActivity>>(h => h.RepresentativeActivityAsync(patient));
        Assert.Contains(activity, a => a.What == "Looked at your record" && a.Kind == RepresentationKind.InvitedCaregiver);
        Assert.Contains(activity, a => a.What == "Looked at your access history");
        Assert.Contains(activity, a => a.What == "Was refused an action for you");
        Assert.Contains(activity, a => a.What == "Accepted your invitation");
        var notices = await _portal.WithAsync<NoticeBoard, IReadOnlyList<PatientNotice>>(n => n.LatestAsync(patient));
        Assert.Contains(notices, n => n.Kind == NoticeKind.Representation && n.Message.Contains("accepted your invitation", StringComparison.Ordinal));

        // The patient ends it: the caregiver's very next request is refused, with the reason.
        await WithAsync(async s =>
        {
            await s.EndAsync(patient, id);
            return true;
        });
        var ended = await Assert.ThrowsAsync<AccessRefusedException>(() => OpenAsync(acting));
        Assert.Contains("ended by the patient", ended.Message, StringComparison.Ordinal);
        Assert.Empty((await WithAsync(s => s.MineAsync(DemoWorld.As(caregiver.UserId)))).IActFor);
    }

    [Fact]
    public async Task Inviting_oneself_a_bad_nric_nothing_to_allow_or_the_same_person_twice_gets_a_clear_message_and_changes_nothing()
    {
        var caregiver = await NewPersonAsync();
        var patient = DemoWorld.As(_world.PatientUserId);
        await using var db = _portal.CreateDbContext();
        var own = (await db.Patients.SingleAsync(p => p.Id == _world.OpenPatientId)).Nric.Value;
        var before = await CountAsync();

        var self = await Assert.ThrowsAsync<DomainException>(() => WithAsync(s => s.InviteAsync(patient, own, RepresentativePowers.SeeRecord)));
        var bad = await Assert.ThrowsAsync<DomainException>(() => WithAsync(s => s.InviteAsync(patient, "S1234567A", RepresentativePowers.SeeRecord)));
        var nothing = await Assert.ThrowsAsync<DomainException>(() => WithAsync(s => s.InviteAsync(patient, caregiver.Nric.Value, RepresentativePowers.None)));

        Assert.Contains("your own NRIC/FIN", self.Errors["nric"], StringComparison.Ordinal);
        Assert.Contains("check letter", bad.Errors["nric"], StringComparison.Ordinal);
        Assert.Contains("at least one", nothing.Errors["powers"], StringComparison.Ordinal);
        Assert.Equal(before, await CountAsync());

        await WithAsync(s => s.InviteAsync(patient, caregiver.Nric.Value, RepresentativePowers.SeeRecord));
        var twice = await Assert.ThrowsAsync<DomainException>(() => WithAsync(s => s.InviteAsync(patient, caregiver.Nric.Value, RepresentativePowers.All)));
        Assert.Contains("already invited", twice.Errors["nric"], StringComparison.Ordinal);
        Assert.Equal(before + 1, await CountAsync());

        // Acting for someone, a person invites nobody for themselves by mistake.
        var acting = await Assert.ThrowsAsync<DomainException>(() => WithAsync(s => s.InviteAsync(patient with { RepresentationId = 1 }, caregiver.Nric.Value, RepresentativePowers.SeeRecord)));
        Assert.Contains("switch back", acting.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_expired_or_withdrawn_invitation_cannot_be_accepted_and_the_attempt_is_audited()
    {
        var caregiver = await NewPersonAsync();
        var other = await NewPersonAsync(skip: 1);
        var patient = DemoWorld.As(_world.PatientUserId);
        var withdrawn = await WithAsync(s => s.InviteAsync(patient, caregiver.Nric.Value, RepresentativePowers.SeeRecord));
        await WithAsync(async s =>
        {
            await s.EndAsync(patient, withdrawn);
            return true;
        });
        var expiring = await WithAsync(s => s.InviteAsync(patient, other.Nric.Value, RepresentativePowers.SeeRecord));
        // Made 14 days and an hour ago (the portal's clock is not moved by weeks: its timers would tick for every period).
        var made = _portal.Clock.GetUtcNow().UtcDateTime - Representation.InvitationLifetime - TimeSpan.FromHours(1);
        await using (var arrange = _portal.CreateDbContext())
        {
            await arrange.Representations.Where(r => r.Id == expiring).ExecuteUpdateAsync(u => u.SetProperty(r => r.CreatedAtUtc, made));
        }

        var gone = await Assert.ThrowsAsync<AccessRefusedException>(() => WithAsync(async s =>
        {
            await s.AcceptAsync(DemoWorld.As(caregiver.UserId), withdrawn);
            return true;
        }));
        var late = await Assert.ThrowsAsync<AccessRefusedException>(() => WithAsync(async s =>
        {
            await s.AcceptAsync(DemoWorld.As(other.UserId), expiring);
            return true;
        }));
        var notTheirs = await Assert.ThrowsAsync<AccessRefusedException>(() => WithAsync(async s =>
        {
            await s.AcceptAsync(DemoWorld.As(caregiver.UserId), expiring);
            return true;
        }));

        Assert.Contains("withdrawn", gone.Message, StringComparison.Ordinal);
        Assert.Contains("expired", late.Message, StringComparison.Ordinal);
        Assert.Contains("no such invitation", notTheirs.Message, StringComparison.Ordinal);
        await using var db = _portal.CreateDbContext();
        Assert.Equal(RepresentationState.Invited, (await db.Representations.SingleAsync(r => r.Id == expiring)).State);
        Assert.Equal(3, await db.AuditEvents.CountAsync(e => e.EventType == AuditEventTypes.ActionRefused && e.Details!.Contains("accept an invitation")));
    }

    [Fact]
    public async Task A_representation_of_someone_else_cannot_be_acted_under()
    {
        var caregiver = await NewPersonAsync();
        var stranger = await NewPersonAsync(skip: 1);
        var id = await CaregiverAsync(_world.PatientUserId, caregiver, RepresentativePowers.All);

        await Assert.ThrowsAsync<AccessRefusedException>(() => OpenAsync(Acting(stranger.UserId, id)));
        await Assert.ThrowsAsync<AccessRefusedException>(() => WithAsync(s => s.BeginActingAsync(DemoWorld.As(stranger.UserId), id)));
        // Staff never act for a patient: a clinician's account has no record of its own to act from.
        Assert.Equal(AccessLevel.Denied, (await OpenAsync(Acting(_world.DoctorUserId, id))).Decision.Level);
    }

    [Fact]
    public async Task A_representatives_change_of_who_may_see_the_record_is_told_to_the_patient_in_the_portal_and_by_email()
    {
        var caregiver = await NewPersonAsync();
        var patient = DemoWorld.As(_world.PatientUserId);
        var id = await CaregiverAsync(_world.PatientUserId, caregiver, RepresentativePowers.All);
        var acting = Acting(caregiver.UserId, id);
        var settings = await _portal.WithAsync<RestrictionService, RestrictionSettings>(r => r.GetOwnAsync(acting));

        var change = await _portal.WithAsync<RestrictionService, RestrictionChange?>(r => r.ChangeOwnAsync(acting, RestrictionMode.RestrictAll, [], settings.Version));

        Assert.NotNull(change);
        await using var db = _portal.CreateDbContext();
        Assert.Equal(RestrictionMode.RestrictAll, (await db.Patients.SingleAsync(p => p.Id == _world.OpenPatientId)).RestrictionMode);
        var notice = await db.PatientNotices.OrderBy(n => n.Id).LastAsync(n => n.PatientId == _world.OpenPatientId);
        Assert.Equal(NoticeKind.Representation, notice.Kind);
        Assert.Contains("changed who may see your record", notice.Message, StringComparison.Ordinal);
        Assert.True(await db.OutboxMessages.AnyAsync(m => m.Subject == PatientNotifier.RepresentationSubject && m.Body.Contains("changed who may see your record")));
        var audited = await db.AuditEvents.OrderBy(e => e.Sequence).LastAsync(e => e.EventType == AuditEventTypes.RestrictionChanged);
        Assert.Equal((caregiver.UserId, "Representative", _world.OpenPatientId), (audited.ActorUserId, audited.ActorRole, audited.PatientId));
    }

    [Fact]
    public async Task An_moh_recorded_deputy_acts_until_the_order_expires_and_only_an_moh_administrator_records_one()
    {
        var deputy = await NewPersonAsync();
        await using var db = _portal.CreateDbContext();
        var patientNric = (await db.Patients.SingleAsync(p => p.Id == _world.RestrictedPatientId)).Nric.Value;
        var expires = NehrCalendar.Today(_portal.Clock.GetUtcNow().UtcDateTime).AddDays(10);
        var input = new NewAppointment(patientNric, deputy.Nric.Value, RepresentationKind.CourtDeputy, "FC/OSM 123/2026", expires, RepresentativePowers.All);

        await Assert.ThrowsAsync<AccessRefusedException>(() => WithAsync(s => s.AppointAsync(DemoWorld.As(_world.AuditorUserId), input)));
        await Assert.ThrowsAsync<AccessRefusedException>(() => WithAsync(s => s.AppointAsync(DemoWorld.As(_world.PatientUserId), input)));
        var bad = await Assert.ThrowsAsync<DomainException>(() => WithAsync(s => s.AppointAsync(DemoWorld.As(_world.MohAdminUserId),
            input with { RepresentativeNric = patientNric, OrderReference = " " })));
        Assert.True(bad.Errors.ContainsKey("representativeNric") && bad.Errors.ContainsKey("orderReference"));
        var id = await WithAsync(s => s.AppointAsync(DemoWorld.As(_world.MohAdminUserId), input));

        // The deputy acts at once (the patient did nothing), and the patient is told.
        Assert.Equal(_world.RestrictedPatientId, (await OpenAsync(Acting(deputy.UserId, id))).Patient!.Id);
        Assert.True(await db.PatientNotices.AnyAsync(n => n.PatientId == _world.RestrictedPatientId && n.Kind == NoticeKind.Representation && n.Message.Contains("FC/OSM 123/2026")));
        Assert.True(await db.AuditEvents.AnyAsync(e => e.EventType == AuditEventTypes.RepresentationAppointed && e.PatientId == _world.RestrictedPatientId));

        // The order lasts to the end of its last day in Singapore.
        Assert.Equal(NehrCalendar.EndOfDayUtc(expires), (await db.Representations.SingleAsync(r => r.Id == id)).EndsAtUtc);

        // The patient cannot end an order; its expiry does. (Brought a minute ahead rather than moving the clock ten days.)
        await Assert.ThrowsAsync<DomainException>(() => WithAsync(async s =>
        {
            await s.EndAsync(DemoWorld.As(_world.RestrictedUserId), id);
            return true;
        }));
        var soon = _portal.Clock.GetUtcNow().UtcDateTime.AddMinutes(1);
        await db.Representations.Where(r => r.Id == id).ExecuteUpdateAsync(u => u.SetProperty(r => r.EndsAtUtc, soon));
        Assert.Equal(_world.RestrictedPatientId, (await OpenAsync(Acting(deputy.UserId, id))).Patient!.Id);
        _portal.Clock.Advance(TimeSpan.FromMinutes(2));
        var expired = await Assert.ThrowsAsync<AccessRefusedException>(() => OpenAsync(Acting(deputy.UserId, id)));
        Assert.Contains("the order expired", expired.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task After_a_patients_death_family_may_read_for_the_configured_days_and_nobody_changes_their_settings()
    {
        var caregiver = await NewPersonAsync();
        var deputy = await NewPersonAsync(skip: 1);
        var patient = DemoWorld.As(_world.PatientUserId);
        var family = await CaregiverAsync(_world.PatientUserId, caregiver, RepresentativePowers.All);
        await using var db = _portal.CreateDbContext();
        var nric = (await db.Patients.SingleAsync(p => p.Id == _world.OpenPatientId)).Nric.Value;
        var order = await WithAsync(s => s.AppointAsync(DemoWorld.As(_world.MohAdminUserId), new NewAppointment(nric, deputy.Nric.Value,
            RepresentationKind.LpaDonee, "LPA-2026-0001", NehrCalendar.Today(_portal.Clock.GetUtcNow().UtcDateTime).AddYears(5), RepresentativePowers.All)));
        var today = NehrCalendar.Today(_portal.Clock.GetUtcNow().UtcDateTime);
        await db.Patients.Where(p => p.Id == _world.OpenPatientId).ExecuteUpdateAsync(s => s.SetProperty(p => p.IsDeceased, true).SetProperty(p => p.DateOfDeath, today.AddDays(-1)));

        Assert.Equal(_world.OpenPatientId, (await OpenAsync(Acting(caregiver.UserId, family))).Patient!.Id);
        var settings = await Assert.ThrowsAsync<AccessRefusedException>(() => _portal.WithAsync<RestrictionService, RestrictionChange?>(
            r => r.ChangeOwnAsync(Acting(caregiver.UserId, family), RestrictionMode.RestrictAll, [], 0)));
        Assert.Contains("nobody changes their settings", settings.Message, StringComparison.Ordinal);
        var donee = await Assert.ThrowsAsync<AccessRefusedException>(() => OpenAsync(Acting(deputy.UserId, order)));
        Assert.Contains("the patient has died", donee.Message, StringComparison.Ordinal);

        // The death further back than the days family may read (the clock is not moved by months: see above).
        await db.Patients.Where(p => p.Id == _world.OpenPatientId).ExecuteUpdateAsync(s => s.SetProperty(p => p.DateOfDeath, today.AddDays(-new RepresentationOptions().DeceasedReadDays - 1)));
        var later = await Assert.ThrowsAsync<AccessRefusedException>(() => OpenAsync(Acting(caregiver.UserId, family)));
        Assert.Contains("days in which family may still read", later.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Switching_to_act_for_someone_goes_through_the_session_and_the_next_request_after_the_end_is_refused()
    {
        var caregiver = await NewPersonAsync();
        var id = await CaregiverAsync(_world.PatientUserId, caregiver, RepresentativePowers.SeeAccessHistory);
        using var client = await _portal.SignedInPersonAsync(caregiver.Nric.Value);
        var token = await PortalSignIn.AntiforgeryTokenAsync(client, "/Account/Manage");

        using var switched = await client.PostAsync("/patient/acting-for", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token,
            ["representation"] = id.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }));
        Assert.Equal("/patient/record", switched.Headers.Location?.OriginalString);

        // The CSV of the access history is now the patient's (the caregiver may see it), audited as the caregiver's look.
        using var csv = await client.GetAsync("/patient/access-history.csv");
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        await using (var db = _portal.CreateDbContext())
        {
            Assert.True(await db.AuditEvents.AnyAsync(e => e.EventType == AuditEventTypes.RepresentativeRead && e.ActorUserId == caregiver.UserId && e.PatientId == _world.OpenPatientId));
        }

        await WithAsync(async s =>
        {
            await s.EndAsync(DemoWorld.As(caregiver.UserId), id);
            return true;
        });
        using var after = await client.GetAsync("/patient/access-history.csv");
        Assert.Equal(HttpStatusCode.Forbidden, after.StatusCode);
        Assert.Contains("ended by the caregiver", await after.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // A switch to a relationship that ended is refused, and the session stays the person's own.
        var again = await PortalSignIn.AntiforgeryTokenAsync(client, "/Account/Manage");
        using var refused = await client.PostAsync("/patient/acting-for", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = again,
            ["representation"] = id.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }));
        Assert.Equal("/patient/caregivers?cannot=1", refused.Headers.Location?.OriginalString);
    }
}
