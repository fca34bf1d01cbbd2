/**
 * Frequent passwords of 12 characters or more (from published breach corpora), refused for new passwords.
 * Compared lower-cased.
 */
export const COMMON_PASSWORDS: ReadonlySet<string> = new Set([
  "123456789012", "1234567890123", "12345678901234", "123456789123", "1234567891011", "111111111111", "000000000000",
  "123123123123", "121212121212", "112233445566", "147258369147", "987654321098", "098765432109", "123456123456",
  "password1234", "password12345", "password123456", "password@123", "password!123", "password1!23", "passw0rd1234",
  "passwordpassword", "mypassword123", "mypassword1234", "newpassword123", "changeme1234", "changemenow1", "letmein12345",
  "welcome12345", "welcome123456", "welcome@1234", "qwertyuiop12", "qwertyuiop123", "qwerty123456", "qwertyuiopasd",
  "1qaz2wsx3edc", "1q2w3e4r5t6y", "q1w2e3r4t5y6", "zaq12wsxcde3", "asdfghjkl123", "asdfghjkl;'", "zxcvbnm12345",
  "iloveyou1234", "iloveyou12345", "sunshine1234", "football1234", "baseball1234", "princess1234", "superman1234",
  "administrator", "administrator1", "admin1234567", "admin12345678", "adminadmin123", "trustno1trustno1", "starwars1234",
  "abcdefghijkl", "abcdefghijklm", "abc123abc123", "abcd1234abcd", "aaaaaa111111", "computer1234", "internet1234",
  "whatever1234", "dragon123456", "monkey123456", "master123456", "shadow123456", "michael12345", "jennifer1234",
  "correcthorsebatterystaple", "thequickbrownfox", "letmeinplease", "opensesame123", "secret123456", "secretpassword",
  "summer2024!!", "summer202412", "winter202412", "spring202412", "autumn202412", "january20241", "welcome2024!",
  "password2024", "password2025", "password2026", "p@ssw0rd1234", "p@ssword1234", "pa$$word1234", "passw0rd!234",
]);
