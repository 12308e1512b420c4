using Microsoft.EntityFrameworkCore;
using Nehr.Core;
using Nehr.Core.Access;
using Nehr.Core.Administration;
using Nehr.Core.Audit;
using Nehr.Core.Identity;
using Nehr.Core.Contribution;
using Nehr.Core.Data.Demo;
using Nehr.Core.Notifications;
using Nehr.Core.Representatives;

namespace Nehr.Integration.Tests;

/// <summary>
/// Changes of who may do what (a system's connection, a caregiver's relationship, a registration, an account, a
/// provider's first access) asked for at the same moment end in a state some one-at-a-time order of them would give:
/// never a revoked system working again, a withdrawn caregiver active, a patient registered twice or given two
/// accounts, a read refused because another read noted the same first access. On PostgreSQL (the second pass of
/// test.sh) nothing but each rule's own claim or index keeps them apart.
/// </summary>
public sealed class ConcurrentStandingTests : IAsyncLifetime
{
    private const int AtOnce = 6;
    private readonly PortalFactory _portal = new();
    private DemoWorld _world = null!;

    public async Task InitializeAsync() => _world = await DemoWorld.LoadAsync(_portal);

    public Task DisposeAsync()
    {
        _portal.Dispose();
        return Task.CompletedTask;
    }

    private static async Task<Exception?[]> AtTheSameMomentAsync(params Func<Task>[] calls)
    {
        using var start = new SemaphoreSlim(0, calls.Length);
        var running = calls.Select(call => Task.Run(async () =>
        {
            await start.WaitAsync();
            try
            {
                await call();
                return null;
            }
            catch (Exception e) when (e is DomainException or AccessRefusedException)
            {
                return e;
            }
        })).ToList();
        start.Release(calls.Length);
        return await Task.WhenAll(running);
    }

    [Fact]
    public async Task Revoking_and_reinstating_a_suspended_system_at_the_same_moment_leaves_it_revoked()
    {
        int systemId;
        await using (var db = _portal.CreateDbContext())
        {
            systemId = await db.SystemConnections.Where(s => s.ClientId == DemoAccounts.SystemClientId).Select(s => s.Id).SingleAsync();
        }

        var moh = DemoWorld.As(_world.MohAdminUserId);
        await _portal.WithAsync<SystemOnboarding, bool>(async o => { await o.SuspendAsync(moh, systemId); return true; });

        var outcomes = await AtTheSameMomentAsync(
            () => _portal.WithAsync<SystemOnboarding, bool>(async o => { await o.ReinstateAsync(DemoWorld.As(_world.MohAdminUserId), systemId); return true; }),
            () => _portal.WithAsync<SystemOnboarding, bool>(async o => { await o.RevokeAsync(DemoWorld.As(_world.MohAdminUserId), systemId); return true; }));

        // A revocation always goes through; a reinstatement after it is refused, before it is undone by it.
        Assert.True(outcomes[0] is null or DomainException, outcomes[0]?.ToString());
        Assert.Null(outcomes[1]);
        await using var after = _portal.CreateDbContext();
        Assert.Equal(ConnectionState.Revoked, await after.SystemConnections.Where(s => s.Id == systemId).Select(s => s.State).SingleAsync());
        await AssertTrailIntactAsync(after);
    }

    [Fact]
    public async Task A_caregiver_accepting_while_the_patient_withdraws_the_invitation_is_never_left_active()
    {
        var patient = await _portal.NewPatientAccountAsync(_world, 0);
        var caregiver = await _portal.NewPatientAccountAsync(_world, 1);
        var id = await _portal.WithAsync<RepresentationService, long>(s =>
            s.InviteAsync(DemoWorld.As(patient.UserId), caregiver.Nric.Value, RepresentativePowers.SeeRecord));

        var outcomes = await AtTheSameMomentAsync(
            () => _portal.WithAsync<RepresentationService, bool>(async s => { await s.AcceptAsync(DemoWorld.As(caregiver.UserId), id); return true; }),
            () => _portal.WithAsync<RepresentationService, bool>(async s => { await s.EndAsync(DemoWorld.As(patient.UserId), id); return true; }));

        // Whichever came first, the patient's withdrawal is the last word: it always goes through, and an acceptance
        // after it is refused.
        Assert.True(outcomes[0] is null or DomainException or AccessRefusedException, outcomes[0]?.ToString());
        Assert.Null(outcomes[1]);
        await using var db = _portal.CreateDbContext();
        var representation = await db.Representations.AsNoTracking().SingleAsync(r => r.Id == id);
        Assert.Equal(RepresentationState.Ended, representation.State);
        await AssertTrailIntactAsync(db);
    }

    [Fact]
    public async Task An_administrator_registering_one_patient_many_times_at_the_same_moment_registers_them_once()
    {
        string nric;
        int patientId;
        int noticesBefore;
        await using (var db = _portal.CreateDbContext())
        {
            // Every patient of the demo world is registered with the hospital: one registration is ended first.
            var registration = await db.CareRegistrations.AsNoTracking()
                .Where(r => r.ProviderId == _world.HospitalId && r.Source == RegistrationSource.Administrator && r.EndedAtUtc == null
                    && r.PatientId != _world.OpenPatientId && !db.Patients.Any(p => p.Id == r.PatientId && p.IsDeceased))
                .OrderBy(r => r.Id).FirstAsync();
            patientId = registration.PatientId;
            nric = (await db.Patients.AsNoTracking().SingleAsync(p => p.Id == patientId)).Nric.Value;
            await _portal.WithAsync<ProviderAdministration, bool>(async a => { await a.EndRegistrationAsync(DemoWorld.As(_world.AdminUserId), registration.Id); return true; });
            noticesBefore = await db.PatientNotices.CountAsync(n => n.PatientId == patientId && n.Kind == NoticeKind.RegisteredByProvider);
        }

        var end = DemoWorld.RegistrationEnd(_portal);
        var outcomes = await AtTheSameMomentAsync(Enumerable.Range(0, AtOnce).Select(_ => (Func<Task>)(() =>
            _portal.WithAsync<ProviderAdministration, RegistrationRow>(a => a.RegisterPatientAsync(DemoWorld.As(_world.AdminUserId), nric, end)))).ToArray());

        Assert.Single(outcomes, o => o is null);
        Assert.All(outcomes.OfType<DomainException>(), e => Assert.Contains("already registered", e.Message, StringComparison.Ordinal));
        await using var after = _portal.CreateDbContext();
        Assert.Equal(1, await after.CareRegistrations.CountAsync(r =>
            r.PatientId == patientId && r.ProviderId == _world.HospitalId && r.Source == RegistrationSource.Administrator && r.EndedAtUtc == null));
        Assert.Equal(noticesBefore + 1, await after.PatientNotices.CountAsync(n => n.PatientId == patientId && n.Kind == NoticeKind.RegisteredByProvider));
        await AssertTrailIntactAsync(after);
    }

    [Fact]
    public async Task Two_administrators_deactivating_each_other_at_the_same_moment_leave_one_of_them_in_post()
    {
        await _portal.WithAsync<ProviderAdministration, CreatedAccount>(a => a.CreateAccountAsync(DemoWorld.As(_world.AdminUserId),
            new NewStaffMember("Second Administrator", "second.admin@cgh.example.sg", ProfessionalRole.Administrator, false, Roles.ProviderAdmin)));
        (string UserId, int PersonnelId) first, second;
        await using (var db = _portal.CreateDbContext())
        {
            var a = await db.Users.AsNoTracking().SingleAsync(u => u.Id == _world.AdminUserId);
            var b = await db.Users.AsNoTracking().SingleAsync(u => u.Email == "second.admin@cgh.example.sg");
            (first, second) = ((a.Id, a.PersonnelId!.Value), (b.Id, b.PersonnelId!.Value));
        }

        var outcomes = await AtTheSameMomentAsync(
            () => _portal.WithAsync<ProviderAdministration, bool>(async a => { await a.DeactivateAsync(DemoWorld.As(first.UserId), second.PersonnelId); return true; }),
            () => _portal.WithAsync<ProviderAdministration, bool>(async a => { await a.DeactivateAsync(DemoWorld.As(second.UserId), first.PersonnelId); return true; }));

        // One goes first; the other is then no longer an administrator, and is refused.
        Assert.Single(outcomes, o => o is null);
        Assert.Single(outcomes, o => o is AccessRefusedException);
        await using var after = _portal.CreateDbContext();
        Assert.Equal(1, await after.Personnel.CountAsync(p => (p.Id == first.PersonnelId || p.Id == second.PersonnelId) && p.IsActive));
        await AssertTrailIntactAsync(after);
    }

    private static async Task AssertTrailIntactAsync(Nehr.Core.Data.NehrDbContext db)
    {
        var verification = await AuditTrail.VerifyAsync(db);
        Assert.True(verification.Intact, verification.Problem);
    }

    [Fact]
    public async Task A_person_signing_in_for_the_first_time_from_several_devices_at_once_gets_one_account()
    {
        string nric;
        int patientId;
        await using (var db = _portal.CreateDbContext())
        {
            var person = await db.Patients.AsNoTracking().Where(p => !db.Users.Any(u => u.PatientId == p.Id) && !p.IsDeceased)
                .OrderBy(p => p.Id).FirstAsync();
            (nric, patientId) = (person.Nric.Value, person.Id);
        }

        var clients = new HttpClient[AtOnce];
        var outcomes = await AtTheSameMomentAsync(Enumerable.Range(0, AtOnce).Select(i => (Func<Task>)(async () =>
            clients[i] = await _portal.SignedInPersonAsync(nric))).ToArray());

        Assert.All(outcomes, Assert.Null);
        foreach (var client in clients)
        {
            client.Dispose();
        }

        await using var after = _portal.CreateDbContext();
        Assert.Equal(1, await after.Users.CountAsync(u => u.PatientId == patientId));
    }

    [Fact]
    public async Task Reads_of_a_provider_opening_a_record_for_the_first_time_together_all_answer_and_the_patient_is_told_once()
    {
        var reads = await Task.WhenAll(Enumerable.Range(0, AtOnce).Select(_ => Task.Run(() =>
            _portal.WithAsync<RecordGate, RecordView>(g => g.OpenAsync(new RecordRequest(DemoWorld.As(_world.DoctorUserId), _world.OpenPatientId, PurposeOfUse.Treatment))))));

        Assert.All(reads, r => Assert.Equal(AccessLevel.Full, r.Decision.Level));
        await using var db = _portal.CreateDbContext();
        Assert.Equal(1, await db.PatientProviderAccesses.CountAsync(a => a.PatientId == _world.OpenPatientId && a.ProviderId == _world.HospitalId));
        Assert.Equal(1, await db.PatientNotices.CountAsync(n => n.PatientId == _world.OpenPatientId && n.Kind == NoticeKind.FirstAccessByProvider));
    }
}
