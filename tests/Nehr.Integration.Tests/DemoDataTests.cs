using Microsoft.AspNetCore.Identity;
using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Nehr.Core.Access;
using Nehr.Core.Administration;
using Nehr.Core.Data;
using Nehr.Core.Data.Demo;
using Nehr.Core.Records;
using Nehr.Core.Representatives;

namespace Nehr.Integration.Tests;

public sealed class DemoDataTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    [Fact]
    [Trait("Database", "SqliteOnly")]
    public async Task The_portal_uses_its_own_fresh_database_file()
    {
        _ = portal.Server;
        await using var db = portal.CreateDbContext();

        Assert.Equal(portal.DatabasePath, db.Database.GetDbConnection().DataSource);
        Assert.True(File.Exists(portal.DatabasePath));
    }

    [Fact]
    [Trait("Database", "SqliteOnly")]
    public async Task The_database_runs_in_wal_mode()
    {
        _ = portal.Server;
        await using var db = portal.CreateDbContext();

        var mode = await db.Database.SqlQueryRaw<string>("PRAGMA journal_mode").ToListAsync();
        Assert.Equal("wal", Assert.Single(mode));
    }

    [Fact]
    public async Task The_database_holds_every_migration_of_its_provider_and_no_other()
    {
        _ = portal.Server;
        await using var db = portal.CreateDbContext();

        var applied = (await db.Database.GetAppliedMigrationsAsync()).ToList();
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        Assert.Equal(db.Database.GetMigrations(), applied);
        Assert.Equal(PortalFactory.OnPostgreSql, db.Database.IsNpgsql());
        var ownNamespace = PortalFactory.OnPostgreSql ? DatabaseProviders.PostgreSqlMigrations : DatabaseProviders.SqliteMigrations;
        var ownIds = typeof(NehrDbContext).Assembly.GetTypes()
            .Where(t => t.Namespace == ownNamespace)
            .Select(t => t.GetCustomAttribute<MigrationAttribute>()?.Id)
            .OfType<string>()
            .Order(StringComparer.Ordinal);
        Assert.Equal(ownIds, applied);
    }

    [Fact]
    public async Task The_demo_world_has_every_provider_type_and_fifty_patients_with_entries_of_every_kind()
    {
        _ = portal.Server;
        await using var db = portal.CreateDbContext();

        var types = await db.Providers.Select(p => p.Type).Distinct().ToListAsync();
        Assert.Equal(Enum.GetValues<ProviderType>().Order(), types.Order());
        Assert.Equal(DemoDataSeeder.DemoPatientCount, await db.Patients.CountAsync());

        var kindsPerPatient = (await db.ClinicalEntries.AsNoTracking().ToListAsync())
            .GroupBy(e => e.PatientId)
            .Select(g => g.Select(e => e.Kind).Distinct().Count())
            .ToList();
        Assert.Equal(DemoDataSeeder.DemoPatientCount, kindsPerPatient.Count);
        Assert.All(kindsPerPatient, kinds => Assert.Equal(Enum.GetValues<EntryKind>().Length, kinds));
        Assert.Contains(await db.Providers.ToListAsync(), p => p.OnboardingState == OnboardingState.NotOnboarded);
    }

    [Fact]
    public async Task One_demo_patient_restricts_all_and_one_allows_only_the_polyclinic()
    {
        _ = portal.Server;
        await using var db = portal.CreateDbContext();
        var users = await db.Users.AsNoTracking().ToDictionaryAsync(u => u.Email!);

        var restricted = await db.Patients.Include(p => p.AllowedProviders).SingleAsync(p => p.Id == users[DemoAccounts.RestrictedPatient].PatientId);
        var selective = await db.Patients.Include(p => p.AllowedProviders).SingleAsync(p => p.Id == users[DemoAccounts.SelectivePatient].PatientId);
        var open = await db.Patients.SingleAsync(p => p.Id == users[DemoAccounts.Patient].PatientId);
        var polyclinic = await db.Providers.SingleAsync(p => p.Name == "Northside Polyclinic");

        Assert.Equal(RestrictionMode.RestrictAll, restricted.RestrictionMode);
        Assert.Equal(RestrictionMode.AllowSelectedProviders, selective.RestrictionMode);
        Assert.Equal(polyclinic.Id, Assert.Single(selective.AllowedProviders).ProviderId);
        Assert.Equal(RestrictionMode.None, open.RestrictionMode);
        Assert.Equal(2, await db.RestrictionChanges.CountAsync());
    }

    [Fact]
    public async Task Every_demo_account_exists_in_its_role_and_is_linked_to_its_record()
    {
        await using var scope = portal.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();

        foreach (var account in DemoAccounts.All)
        {
            var user = await users.FindByEmailAsync(account.Email);
            Assert.NotNull(user);
            Assert.Equal([account.Role], await users.GetRolesAsync(user));
            // Staff have the published password; patients have none (they sign in with the national identity).
            Assert.True(account.IsStaff ? await users.CheckPasswordAsync(user, DemoAccounts.Password) : !await users.HasPasswordAsync(user), account.Email);
            var linked = account.Role switch
            {
                "Patient" => user.PatientId is not null && user.PersonnelId is null,
                "Clinician" or "ProviderAdmin" => user.PersonnelId is not null && user.PatientId is null,
                _ => user.PatientId is null && user.PersonnelId is null,
            };
            Assert.True(linked, $"{account.Email} is linked to the wrong kind of record");
        }
    }

    [Fact]
    public async Task The_outside_dentist_works_where_no_demo_patient_is_registered()
    {
        _ = portal.Server;
        await using var db = portal.CreateDbContext();
        var dentist = await db.Users.Where(u => u.Email == DemoAccounts.OutsideDentist)
            .Join(db.Personnel, u => u.PersonnelId, p => p.Id, (u, p) => p).SingleAsync();
        var doctor = await db.Users.Where(u => u.Email == DemoAccounts.HospitalDoctor)
            .Join(db.Personnel, u => u.PersonnelId, p => p.Id, (u, p) => p).SingleAsync();

        Assert.Equal(0, await db.CareRegistrations.CountAsync(r => r.ProviderId == dentist.ProviderId));
        Assert.Equal(DemoDataSeeder.DemoPatientCount, await db.CareRegistrations.CountAsync(r => r.ProviderId == doctor.ProviderId));
    }

    [Fact]
    public async Task Passwords_are_hashed_with_at_least_210000_pbkdf2_iterations()
    {
        _ = portal.Server;
        await using var db = portal.CreateDbContext();
        var hash = Convert.FromBase64String((await db.Users.OrderBy(u => u.Email).FirstAsync()).PasswordHash!);

        // Identity V3 format: 0x01, PRF (4 bytes), iteration count (4 bytes, big-endian), salt length, salt, subkey.
        Assert.Equal(0x01, hash[0]);
        var iterations = (hash[5] << 24) | (hash[6] << 16) | (hash[7] << 8) | hash[8];
        Assert.True(iterations >= 210_000, $"{iterations} iterations");
    }

    [Fact]
    public async Task Seeding_twice_adds_nothing()
    {
        await using var scope = portal.Services.CreateAsyncScope();
        var seeder = scope.ServiceProvider.GetRequiredService<DemoDataSeeder>();

        Assert.False(await seeder.SeedAsync());
        await using var db = portal.CreateDbContext();
        Assert.Equal(DemoDataSeeder.DemoPatientCount, await db.Patients.CountAsync());
    }

    [Fact]
    public async Task The_restricted_demo_patient_who_signs_in_with_his_own_account_is_an_adult()
    {
        _ = portal.Server;
        await using var db = portal.CreateDbContext();
        var today = DateOnly.FromDateTime(portal.Clock.GetUtcNow().UtcDateTime);
        var user = await db.Users.AsNoTracking().SingleAsync(u => u.Email == DemoAccounts.RestrictedPatient);

        var patient = await db.Patients.AsNoTracking().SingleAsync(p => p.Id == user.PatientId);

        Assert.Equal("Muhammad Faizal bin Rahman", patient.Name);
        Assert.True(patient.DateOfBirth.AddYears(18) <= today, $"born {patient.DateOfBirth}");
    }

    [Fact]
    public async Task Every_demo_child_under_14_has_a_parent_from_the_register_who_is_old_enough_to_be_one()
    {
        _ = portal.Server;
        await using var db = portal.CreateDbContext();
        var now = portal.Clock.GetUtcNow().UtcDateTime;
        var patients = await db.Patients.AsNoTracking().ToListAsync();
        var links = await db.Representations.AsNoTracking()
            .Where(r => r.Kind == RepresentationKind.ParentOfChild && r.State == RepresentationState.Active).ToListAsync();
        var children = patients.Where(p => now < Representation.FourteenthBirthdayUtc(p.DateOfBirth)).ToList();

        Assert.NotEmpty(children);
        Assert.All(children, child =>
        {
            var link = links.FirstOrDefault(l => l.PatientId == child.Id);
            Assert.True(link is not null, $"{child.Name}, born {child.DateOfBirth}, has no parent");
            var parent = patients.Single(p => p.Nric == link.RepresentativeNric);
            Assert.Equal(parent.Id, link.RepresentativeId);
            Assert.InRange(child.DateOfBirth.Year - parent.DateOfBirth.Year, 18, 50);
        });
    }

    [Fact]
    public async Task Every_demo_entry_comes_from_a_kind_of_provider_that_could_have_produced_it()
    {
        _ = portal.Server;
        await using var db = portal.CreateDbContext();
        var types = await db.Providers.AsNoTracking().ToDictionaryAsync(p => p.Id, p => p.Type);
        var entries = await db.ClinicalEntries.AsNoTracking().ToListAsync();

        Assert.All(entries, e =>
        {
            var source = types[e.SourceProviderId];
            var could = e switch
            {
                LabResultEntry => source is ProviderType.PublicHospital or ProviderType.Laboratory or ProviderType.Polyclinic,
                RadiologyResultEntry => source is ProviderType.PublicHospital or ProviderType.Radiology,
                MedicationEntry m => m.Record == MedicationStatus.Dispensed
                    ? source is not (ProviderType.Laboratory or ProviderType.Radiology or ProviderType.PopulationRegister)
                    : source is not (ProviderType.Laboratory or ProviderType.Radiology or ProviderType.RetailPharmacy or ProviderType.PopulationRegister),
                _ => source is not (ProviderType.Laboratory or ProviderType.Radiology or ProviderType.RetailPharmacy or ProviderType.PopulationRegister),
            };
            Assert.True(could, $"{e.Kind} {e.SourceIdentifier} from a {source}");
        });
    }
}
