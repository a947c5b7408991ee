// Types of scripts/sql-migration.mjs, for test/sql-home.test.ts.
export declare const SQL_FILES: string[];
export declare function sqlFiles(): string[];
export declare function render(): string;
export declare function newestGenerated(): { file: string; text: string } | undefined;
