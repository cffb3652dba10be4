using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CareLoop.Server.Platform.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class SearchIndexWithoutParser : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The stored tokens are already split and normalised (SearchTokens): the tsvector input function keeps them
            // as they are, without the text-search parser, dictionary and positions of to_tsvector('simple', …), at
            // about half the cost per ticket written. Queries cast their tsquery text the same way.
            migrationBuilder.Sql("""DROP INDEX "IX_TicketSearch_Tokens";""");
            migrationBuilder.Sql("""CREATE INDEX "IX_TicketSearch_Tokens" ON "TicketSearch" USING gin (("Tokens"::tsvector)) WITH (gin_pending_list_limit = 128);""");
            // No planner statistics for the tokens: the search query's plan does not depend on them, and gathering them
            // made every ANALYZE of the table convert 30,000 sampled documents (two seconds of a core, once a minute
            // under steady intake).
            migrationBuilder.Sql("""ALTER INDEX "IX_TicketSearch_Tokens" ALTER COLUMN 1 SET STATISTICS 0;""");
            migrationBuilder.Sql("""ALTER TABLE "TicketSearch" ALTER COLUMN "Tokens" SET STATISTICS 0;""");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""ALTER TABLE "TicketSearch" ALTER COLUMN "Tokens" SET STATISTICS -1;""");
            migrationBuilder.Sql("""DROP INDEX "IX_TicketSearch_Tokens";""");
            migrationBuilder.Sql("""CREATE INDEX "IX_TicketSearch_Tokens" ON "TicketSearch" USING gin (to_tsvector('simple', "Tokens")) WITH (gin_pending_list_limit = 128);""");
        }
    }
}
