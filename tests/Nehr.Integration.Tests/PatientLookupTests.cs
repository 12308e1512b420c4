using Microsoft.EntityFrameworkCore;
using Nehr.Core.Access;
using Nehr.Core.Audit;
using Nehr.Core.Records;

namespace Nehr.Integration.Tests;

public sealed class PatientLookupTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    private async Task<(DemoWorld World, Nric OpenNric)> ArrangeAsync()
    {
        var world = await DemoWorld.LoadAsync(portal);
        await using var db = portal.CreateDbContext();
        var nric = await db.Patients.Where(p => p.Id == world.OpenPatientId).Select(p => p.Nric).SingleAsync();
        return (world, nric);
    }

    private Task<LookupResult> FindAsync(string userId, Nric nric) =>
        portal.WithAsync<PatientLookup, LookupResult>(l => l.FindByNricAsync(DemoWorld.As(userId), nric));

    [Fact]
    public async Task A_registered_patient_is_found_and_the_search_is_audited()
    {
        var (world, nric) = await ArrangeAsync();

        var result = await FindAsync(world.DoctorUserId, nric);

        Assert.Equal(world.OpenPatientId, result.Patient!.Id);
        await using var db = portal.CreateDbContext();
        var audited = await db.LastEventAsync();
        Assert.Equal((AuditEventTypes.PatientLookup, AuditOutcome.Success, world.OpenPatientId), (audited.EventType, audited.Outcome, audited.PatientId));
        Assert.Null(audited.Level);
        Assert.DoesNotContain(nric.Value, audited.Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unregistered_patient_and_an_unknown_nric_get_the_same_answer()
    {
        var (world, nric) = await ArrangeAsync();

        var unregistered = await FindAsync(world.DentistUserId, nric);
        var unknown = await FindAsync(world.DentistUserId, Nric.Parse("S0000001I"));

        Assert.False(unregistered.Found);
        Assert.False(unknown.Found);
        Assert.Equal(unregistered.Decision, unknown.Decision);
        Assert.Equal(DecisionReason.PatientNotRegistered, unknown.Decision.Reason);
        await using var db = portal.CreateDbContext();
        Assert.Equal(AuditOutcome.Denied, (await db.LastEventAsync()).Outcome);
    }

    [Fact]
    public async Task A_provider_administrator_cannot_look_patients_up()
    {
        var (world, nric) = await ArrangeAsync();

        var result = await FindAsync(world.AdminUserId, nric);

        Assert.False(result.Found);
        Assert.Equal(DecisionReason.RoleNotInCare, result.Decision.Reason);
    }
}
