using Nehr.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Nehr.Core.Access;
using Nehr.Core.Audit;
using Nehr.Core.Notifications;
using Nehr.Core.Records;

namespace Nehr.Integration.Tests;

public sealed class EmergencyOverrideTests : IAsyncLifetime
{
    private const string GoodJustification = DemoWorld.OverrideJustification;
    private readonly PortalFactory _portal = new();
    private DemoWorld _world = null!;

    public async Task InitializeAsync() => _world = await DemoWorld.LoadAsync(_portal);

    public Task DisposeAsync()
    {
        _portal.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>The outcome of a request: the override, or the errors by field (a refusal under <see cref="DomainException.General"/>).</summary>
    private sealed record Outcome(EmergencyOverride? Override, IReadOnlyDictionary<string, string> Errors)
    {
        public bool Granted => Override is not null;
    }

    private async Task<Outcome> GrantAsync(string userId, int patientId, OverrideReason? reason = OverrideReason.UnconsciousPatient,
        string? justification = GoodJustification, bool attested = true)
    {
        try
        {
            var granted = await _portal.WithAsync<EmergencyOverrideService, EmergencyOverride>(s =>
                s.GrantAsync(new OverrideRequest(DemoWorld.As(userId), patientId, reason, justification, attested)));
            return new Outcome(granted, new Dictionary<string, string>());
        }
        catch (DomainException e)
        {
            return new Outcome(null, e.Errors);
        }
    }

    private Task<RecordView> OpenAsync(string userId, int patientId) =>
        _portal.WithAsync<RecordGate, RecordView>(g => g.OpenAsync(new RecordRequest(DemoWorld.As(userId), patientId, PurposeOfUse.Treatment)));

    private async Task<(int Overrides, int Notices, int Events)> CountsAsync()
    {
        await using var db = _portal.CreateDbContext();
        return (await db.EmergencyOverrides.CountAsync(), await db.PatientNotices.CountAsync(), await db.AuditEvents.CountAsync());
    }

    [Fact]
    public async Task Restricted_patient_basic_set_then_override_then_full_record_then_back_on_expiry()
    {
        Assert.Equal(AccessLevel.BasicSetOnly, (await OpenAsync(_world.DoctorUserId, _world.RestrictedPatientId)).Decision.Level);

        var result = await GrantAsync(_world.DoctorUserId, _world.RestrictedPatientId);
        Assert.True(result.Granted, string.Join("; ", result.Errors.Values));

        var during = await OpenAsync(_world.DoctorUserId, _world.RestrictedPatientId);
        Assert.Equal((AccessLevel.Full, DecisionReason.EmergencyOverride), (during.Decision.Level, during.Decision.Reason));
        Assert.Equal(result.Override!.ExpiresAtUtc, during.OverrideExpiresAtUtc);
        Assert.Equal(Enum.GetValues<EntryKind>().Length, during.Entries.Count);

        // The read under the override is audited as one.
        await using (var db = _portal.CreateDbContext())
        {
            Assert.True((await db.LastEventAsync()).IsOverride);
        }

        _portal.Clock.Advance(TimeSpan.FromHours(4));
        var after = await OpenAsync(_world.DoctorUserId, _world.RestrictedPatientId);
        Assert.Equal(AccessLevel.BasicSetOnly, after.Decision.Level);
    }

    [Fact]
    public async Task A_grant_creates_the_review_item_the_patient_notice_and_the_audit_event_together()
    {
        var result = await GrantAsync(_world.DoctorUserId, _world.RestrictedPatientId, OverrideReason.LifeThreateningCondition);

        await using var db = _portal.CreateDbContext();
        var granted = await db.EmergencyOverrides.SingleAsync();
        Assert.Equal(OverrideReviewStatus.Pending, granted.ReviewStatus);
        Assert.Equal(TimeSpan.FromHours(4), granted.ExpiresAtUtc - granted.GrantedAtUtc);
        var notice = await db.PatientNotices.SingleAsync();
        Assert.Equal((_world.RestrictedPatientId, NoticeKind.EmergencyOverride, granted.Id), (notice.PatientId, notice.Kind, notice.OverrideId));
        Assert.Contains("Central General Hospital", notice.Message, StringComparison.Ordinal);
        var audited = await db.LastEventAsync();
        Assert.Equal((AuditEventTypes.OverrideGranted, true, AuditOutcome.Success), (audited.EventType, audited.IsOverride, audited.Outcome));
        Assert.Contains(GoodJustification, audited.Details, StringComparison.Ordinal);
        Assert.Equal(result.Override!.Id, granted.Id);
    }

    [Theory]
    [InlineData(null, GoodJustification, true, nameof(OverrideRequest.Reason))]
    [InlineData(OverrideReason.UnconsciousPatient, "urgent", true, nameof(OverrideRequest.Justification))]
    [InlineData(OverrideReason.UnconsciousPatient, "test test test test test test test test test test", true, nameof(OverrideRequest.Justification))]
    [InlineData(OverrideReason.UnconsciousPatient, GoodJustification, false, nameof(OverrideRequest.Attested))]
    public async Task Bad_input_gets_a_specific_error_and_changes_nothing(OverrideReason? reason, string justification, bool attested, string field)
    {
        var before = await CountsAsync();

        var result = await GrantAsync(_world.DoctorUserId, _world.RestrictedPatientId, reason, justification, attested);

        Assert.False(result.Granted);
        Assert.True(result.Errors.ContainsKey(field), string.Join("; ", result.Errors.Keys));
        Assert.Equal(before, await CountsAsync());
    }

    [Fact]
    public async Task No_override_is_offered_when_the_full_record_is_already_visible()
    {
        var result = await GrantAsync(_world.DoctorUserId, _world.OpenPatientId);

        Assert.False(result.Granted);
        Assert.Contains("no override is needed", result.Errors[DomainException.General], StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_override_never_lifts_rules_one_to_four_and_the_refusal_is_audited()
    {
        var before = await CountsAsync();

        var result = await GrantAsync(_world.DentistUserId, _world.RestrictedPatientId);

        Assert.False(result.Granted);
        Assert.Contains("not registered", result.Errors[DomainException.General], StringComparison.Ordinal);
        var after = await CountsAsync();
        Assert.Equal((before.Overrides, before.Notices, before.Events + 1), after);
        await using var db = _portal.CreateDbContext();
        var audited = await db.LastEventAsync();
        Assert.Equal((AuditEventTypes.OverrideRefused, AuditOutcome.Denied), (audited.EventType, audited.Outcome));
        Assert.Equal(AccessLevel.Denied, (await OpenAsync(_world.DentistUserId, _world.RestrictedPatientId)).Decision.Level);
    }

    [Fact]
    public async Task A_second_override_while_one_is_active_is_refused()
    {
        Assert.True((await GrantAsync(_world.DoctorUserId, _world.RestrictedPatientId)).Granted);

        var again = await GrantAsync(_world.DoctorUserId, _world.RestrictedPatientId);

        Assert.False(again.Granted);
        Assert.Contains("already have an active emergency override", again.Errors[DomainException.General], StringComparison.Ordinal);
    }

    private Task<EmergencyOverride> EndAsync(string userId, int patientId) =>
        _portal.WithAsync<EmergencyOverrideService, EmergencyOverride>(s => s.EndAsync(new EndOverrideRequest(DemoWorld.As(userId), patientId)));

    [Fact]
    public async Task Ending_an_override_now_brings_the_record_back_to_the_usual_rules_audited_and_told_to_the_patient()
    {
        var granted = (await GrantAsync(_world.DoctorUserId, _world.RestrictedPatientId)).Override!;
        _portal.Clock.Advance(TimeSpan.FromMinutes(20));
        var before = await CountsAsync();

        var ended = await EndAsync(_world.DoctorUserId, _world.RestrictedPatientId);

        var now = _portal.Clock.GetUtcNow().UtcDateTime;
        Assert.Equal(now, ended.ExpiresAtUtc);
        await using (var db = _portal.CreateDbContext())
        {
            var stored = await db.EmergencyOverrides.SingleAsync();
            Assert.Equal((now, OverrideReviewStatus.Pending), (stored.ExpiresAtUtc, stored.ReviewStatus));
            // One notice and one event for the end, committed with it.
            Assert.Equal((before.Overrides, before.Notices + 1, before.Events + 1), await CountsAsync());
            var endEvent = await db.LastEventAsync();
            Assert.Equal((AuditEventTypes.OverrideEnded, AuditOutcome.Success, _world.RestrictedPatientId, AccessLevel.BasicSetOnly),
                (endEvent.EventType, endEvent.Outcome, endEvent.PatientId, endEvent.Level));
            Assert.Contains($"override={granted.Id}", endEvent.Details, StringComparison.Ordinal);
            var notice = await db.PatientNotices.OrderBy(n => n.Id).LastAsync();
            Assert.Equal((NoticeKind.EmergencyOverride, granted.Id), (notice.Kind, notice.OverrideId));
            Assert.Contains($"ended at {LocalTime.MomentNamed(now)}", notice.Message, StringComparison.Ordinal);
            Assert.Contains("MOH still reviews it", notice.Message, StringComparison.Ordinal);
        }

        var after = await OpenAsync(_world.DoctorUserId, _world.RestrictedPatientId);
        Assert.Equal((AccessLevel.BasicSetOnly, DecisionReason.PatientRestricted), (after.Decision.Level, after.Decision.Reason));
        Assert.Null(after.OverrideExpiresAtUtc);
    }

    [Fact]
    public async Task Ending_when_there_is_no_active_override_is_refused_audited_and_changes_nothing()
    {
        Assert.True((await GrantAsync(_world.NurseUserId, _world.RestrictedPatientId)).Granted);
        var before = await CountsAsync();

        var refused = await Assert.ThrowsAsync<AccessRefusedException>(() => EndAsync(_world.DoctorUserId, _world.RestrictedPatientId));

        Assert.Contains("no active emergency override", refused.Message, StringComparison.Ordinal);
        Assert.Equal((before.Overrides, before.Notices, before.Events + 1), await CountsAsync());
        await using var db = _portal.CreateDbContext();
        var audited = await db.LastEventAsync();
        Assert.Equal((AuditEventTypes.OverrideEnded, AuditOutcome.Denied), (audited.EventType, audited.Outcome));
        // The nurse's own override is untouched.
        Assert.Equal(AccessLevel.Full, (await OpenAsync(_world.NurseUserId, _world.RestrictedPatientId)).Decision.Level);
    }

    [Fact]
    public async Task An_ended_override_can_be_ended_only_once_and_a_new_one_can_then_be_granted()
    {
        Assert.True((await GrantAsync(_world.DoctorUserId, _world.RestrictedPatientId)).Granted);
        await EndAsync(_world.DoctorUserId, _world.RestrictedPatientId);

        await Assert.ThrowsAsync<AccessRefusedException>(() => EndAsync(_world.DoctorUserId, _world.RestrictedPatientId));
        Assert.True((await GrantAsync(_world.DoctorUserId, _world.RestrictedPatientId)).Granted);
    }

    [Fact]
    public async Task The_patient_notice_and_the_second_override_refusal_give_Singapore_time()
    {
        var granted = (await GrantAsync(_world.DoctorUserId, _world.RestrictedPatientId)).Override!;

        var again = await GrantAsync(_world.DoctorUserId, _world.RestrictedPatientId);

        var refusal = again.Errors[DomainException.General];
        Assert.Contains($"until {LocalTime.MomentNamed(granted.ExpiresAtUtc)}.", refusal, StringComparison.Ordinal);
        Assert.DoesNotContain("UTC", refusal, StringComparison.Ordinal);
        await using var db = _portal.CreateDbContext();
        var notice = (await db.PatientNotices.SingleAsync()).Message;
        Assert.Contains($"from {LocalTime.Moment(granted.GrantedAtUtc)} until {LocalTime.MomentNamed(granted.ExpiresAtUtc)}", notice, StringComparison.Ordinal);
        Assert.DoesNotContain("UTC", notice, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_override_belongs_to_its_clinician_only()
    {
        Assert.True((await GrantAsync(_world.NurseUserId, _world.RestrictedPatientId)).Granted);

        Assert.Equal(AccessLevel.Full, (await OpenAsync(_world.NurseUserId, _world.RestrictedPatientId)).Decision.Level);
        Assert.Equal(AccessLevel.BasicSetOnly, (await OpenAsync(_world.DoctorUserId, _world.RestrictedPatientId)).Decision.Level);
    }
}

public sealed class OverrideWindowConfigurationTests
{
    [Theory]
    [InlineData("0")]
    [InlineData("121")]
    public void A_window_outside_one_hour_to_five_days_is_refused_at_start(string hours)
    {
        using var portal = new PortalFactory();
        portal.Settings["Nehr:Access:OverrideHours"] = hours;

        var error = Assert.ThrowsAny<Exception>(() => portal.Server);

        Assert.Contains("OverrideHours", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_configured_window_is_used()
    {
        using var portal = new PortalFactory();
        portal.Settings["Nehr:Access:OverrideHours"] = "120";
        var world = await DemoWorld.LoadAsync(portal);

        var granted = await portal.WithAsync<EmergencyOverrideService, EmergencyOverride>(s => s.GrantAsync(new OverrideRequest(
            DemoWorld.As(world.DoctorUserId), world.RestrictedPatientId, OverrideReason.PatientUnableToConsent,
            "Patient is confused after a stroke and cannot tell us which anticoagulants they take.", true)));

        Assert.Equal(TimeSpan.FromDays(5), granted.ExpiresAtUtc - granted.GrantedAtUtc);
        Assert.Equal(120, portal.Services.GetRequiredService<IOptions<AccessOptions>>().Value.OverrideHours);
    }
}
