using NetArchTest.Rules;
using Nehr.Core.Access;
using Nehr.Core.Records;

namespace Nehr.Portal.Tests;

/// <summary>
/// The dependency rules of docs/architecture.md, checked on the compiled assemblies. (That only the record gate reads
/// clinical entries is checked by GateIsTheOnlyPathTests, which reads method bodies.)
/// </summary>
public sealed class ArchitectureTests
{
    private static readonly string[] Frameworks = ["Microsoft.EntityFrameworkCore", "Microsoft.AspNetCore", "Npgsql", "Microsoft.Data.Sqlite"];

    [Fact]
    public void The_record_model_depends_on_no_database_and_no_web_framework()
    {
        var result = Types.InAssembly(typeof(Patient).Assembly)
            .That().ResideInNamespace("Nehr.Core.Records")
            .ShouldNot().HaveDependencyOnAny(Frameworks)
            .GetResult();

        AssertKept(result);
    }

    [Fact]
    public void The_access_decision_depends_on_no_database_no_web_framework_and_no_clock()
    {
        var decision = new[] { typeof(AccessRules), typeof(AccessDecision), typeof(AccessRequest), typeof(Justification) };
        var types = Types.InAssembly(typeof(AccessRules).Assembly)
            .That().HaveNameMatching("^(" + string.Join('|', decision.Select(t => t.Name)) + ")$");
        Assert.Equal(decision.Length, types.GetTypes().Count()); // the rule below sees every one of them

        var result = types.ShouldNot().HaveDependencyOnAny([.. Frameworks, "System.TimeProvider", "Nehr.Core.Data"]).GetResult();

        AssertKept(result);
    }

    [Fact]
    public void Pages_and_components_use_services_never_the_database()
    {
        var result = Types.InAssembly(typeof(Program).Assembly)
            .That().ResideInNamespace("Nehr.Portal.Components")
            .ShouldNot().HaveDependencyOnAny("Microsoft.EntityFrameworkCore", "Nehr.Core.Data.NehrDbContext")
            .GetResult();

        AssertKept(result);
    }

    [Fact]
    public void Core_depends_on_no_part_of_the_portal()
    {
        var result = Types.InAssembly(typeof(Patient).Assembly)
            .ShouldNot().HaveDependencyOnAny("Nehr.Portal", "MudBlazor", "Microsoft.AspNetCore.Components")
            .GetResult();

        AssertKept(result);
    }

    [Fact]
    public void Only_the_command_pipeline_begins_a_write_transaction_for_an_administrative_area()
    {
        // Administration and oversight commands write through Commands: none opens a transaction of its own.
        var result = Types.InAssembly(typeof(Patient).Assembly)
            .That().ResideInNamespace("Nehr.Core.Administration").Or().ResideInNamespace("Nehr.Core.Oversight")
            .ShouldNot().HaveDependencyOn("Nehr.Core.Data.DatabaseTransactions")
            .GetResult();

        AssertKept(result);
    }

    private static void AssertKept(TestResult result) =>
        Assert.True(result.IsSuccessful, "Broken by: " + string.Join(", ", result.FailingTypeNames ?? []));
}
