using Nehr.Core.Access;
using Nehr.Core.Audit;
using Nehr.Portal.Components.Patient;
using Nehr.Portal.Hosting;

namespace Nehr.Portal.Tests;

public class CsvCellTests
{
    [Theory]
    [InlineData("Central General Hospital", "Central General Hospital")]
    [InlineData("=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\"")]
    [InlineData("+1", "'+1")]
    [InlineData("-2", "'-2")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("Lee, Wei Jie", "\"Lee, Wei Jie\"")]
    [InlineData(null, "")]
    public void Cells_are_quoted_and_formulas_neutralised(string? value, string expected)
    {
        Assert.Equal(expected, Csv.Cell(value));
    }
}
