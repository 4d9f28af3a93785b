/** The version of this Flowtrail package (kept equal to package.json's). */
export const FLOWTRAIL_VERSION = '0.1.0';
