using Microsoft.EntityFrameworkCore;
using Nehr.Core;
using Nehr.Core.Access;
using Nehr.Core.Audit;

namespace Nehr.Integration.Tests;

public sealed class RestrictionServiceTests : IAsyncLifetime
{
    private readonly PortalFactory _portal = new();
    private DemoWorld _world = null!;

    public async Task InitializeAsync() => _world = await DemoWorld.LoadAsync(_portal);

    public Task DisposeAsync()
    {
        _portal.Dispose();
        return Task.CompletedTask;
    }

    private Task<RestrictionChange?> ChangeAsync(string userId, RestrictionMode mode, int[] providers, int expectedVersion) =>
        _portal.WithAsync<RestrictionService, RestrictionChange?>(s => s.ChangeOwnAsync(DemoWorld.As(userId), mode, providers, expectedVersion));

    private Task<RecordView> OpenAsync(string userId, int patientId) =>
        _portal.WithAsync<RecordGate, RecordView>(g => g.OpenAsync(new RecordRequest(DemoWorld.As(userId), patientId, PurposeOfUse.Treatment)));

    [Fact]
    public async Task A_restriction_applies_on_the_very_next_read_and_is_versioned_and_audited()
    {
        Assert.Equal(AccessLevel.Full, (await OpenAsync(_world.DoctorUserId, _world.OpenPatientId)).Decision.Level);

        var change = await ChangeAsync(_world.PatientUserId, RestrictionMode.RestrictAll, [], expectedVersion: 0);

        Assert.Equal((1, RestrictionMode.None, RestrictionMode.RestrictAll), (change!.Version, change.FromMode, change.ToMode));
        Assert.Equal(AccessLevel.BasicSetOnly, (await OpenAsync(_world.DoctorUserId, _world.OpenPatientId)).Decision.Level);
        await using var db = _portal.CreateDbContext();
        var audited = await db.AuditEvents.AsNoTracking().Where(e => e.EventType == AuditEventTypes.RestrictionChanged && e.PatientId == _world.OpenPatientId).SingleAsync();
        Assert.Equal(("None -> RestrictAll", _world.PatientUserId), (audited.Reason, audited.ActorUserId));
    }

    [Fact]
    public async Task Allowing_one_provider_gives_it_the_full_record_and_others_the_basic_set()
    {
        await using (var db = _portal.CreateDbContext())
        {
            var hospital = await db.Providers.SingleAsync(p => p.Id == _world.HospitalId);
            Assert.NotNull(hospital);
        }

        await ChangeAsync(_world.PatientUserId, RestrictionMode.AllowSelectedProviders, [_world.HospitalId], 0);

        Assert.Equal(DecisionReason.ProviderAllowedByPatient, (await OpenAsync(_world.DoctorUserId, _world.OpenPatientId)).Decision.Reason);
        Assert.Equal(AccessLevel.BasicSetOnly, (await OpenAsync(_world.NurseUserId, _world.OpenPatientId)).Decision.Level);
    }

    [Fact]
    public async Task A_stale_version_is_refused_and_changes_nothing()
    {
        await ChangeAsync(_world.PatientUserId, RestrictionMode.RestrictAll, [], 0);

        var error = await Assert.ThrowsAsync<DomainException>(() => ChangeAsync(_world.PatientUserId, RestrictionMode.None, [], 0));

        Assert.Contains("changed elsewhere", error.Message, StringComparison.Ordinal);
        await using var db = _portal.CreateDbContext();
        Assert.Equal(RestrictionMode.RestrictAll, (await db.Patients.SingleAsync(p => p.Id == _world.OpenPatientId)).RestrictionMode);
    }

    [Theory]
    [InlineData(RestrictionMode.AllowSelectedProviders, new int[0])]
    [InlineData(RestrictionMode.AllowSelectedProviders, new[] { 99_999 })]
    [InlineData(RestrictionMode.RestrictAll, new[] { 1 })]
    public async Task Bad_input_is_refused_with_a_message_and_changes_nothing(RestrictionMode mode, int[] providers)
    {
        await using var db = _portal.CreateDbContext();
        var events = await db.AuditEvents.CountAsync();
        var changes = await db.RestrictionChanges.CountAsync();

        var error = await Assert.ThrowsAsync<DomainException>(() => ChangeAsync(_world.PatientUserId, mode, providers, 0));

        Assert.False(string.IsNullOrWhiteSpace(error.Message));
        Assert.Equal((events, changes), (await db.AuditEvents.CountAsync(), await db.RestrictionChanges.CountAsync()));
        Assert.Equal(RestrictionMode.None, (await db.Patients.AsNoTracking().SingleAsync(p => p.Id == _world.OpenPatientId)).RestrictionMode);
    }

    [Fact]
    public async Task Only_a_patient_changes_their_own_restriction()
    {
        await Assert.ThrowsAsync<AccessRefusedException>(() => ChangeAsync(_world.DoctorUserId, RestrictionMode.RestrictAll, [], 0));
    }

    [Fact]
    public async Task When_the_audit_append_fails_the_change_is_not_kept()
    {
        await using (var db = _portal.CreateDbContext())
        {
            // Remove the chain head so that the append inside the change's transaction fails.
            await db.Database.ExecuteSqlRawAsync("""DELETE FROM "AuditChainHead" """);
        }

        await Assert.ThrowsAnyAsync<InvalidOperationException>(() => ChangeAsync(_world.PatientUserId, RestrictionMode.RestrictAll, [], 0));

        await using var check = _portal.CreateDbContext();
        Assert.Equal(RestrictionMode.None, (await check.Patients.SingleAsync(p => p.Id == _world.OpenPatientId)).RestrictionMode);
        Assert.Equal(0, await check.RestrictionChanges.CountAsync(c => c.PatientId == _world.OpenPatientId));
    }

    [Fact]
    public async Task When_the_audit_append_fails_no_record_is_returned()
    {
        await using (var db = _portal.CreateDbContext())
        {
            await db.Database.ExecuteSqlRawAsync("""DELETE FROM "AuditChainHead" """);
        }

        await Assert.ThrowsAnyAsync<InvalidOperationException>(() => OpenAsync(_world.DoctorUserId, _world.OpenPatientId));
    }
}
