"""Every user-facing string of the core, in Korean and English, in one place.

Messages that report a mistake name the next command to try. An English count is written
`{answers:answer|answers}`: "1 answer", "2 answers" (Korean counters need no plural).
"""

from __future__ import annotations

import string

from content.schema import Lang

_TEXTS: dict[str, tuple[str, str]] = {
    "question_title": ("오늘의 질문 · {day}", "Question of the day · {day}"),
    "question_body": (
        "{text}\n\n스레드에 답을 적어 주세요. 답하면 점수와 후속 질문이 이어집니다.",
        "{text}\n\nAnswer in the thread; you get a score and a follow-up question.",
    ),
    "followup": (
        "후속 질문 {index}/{total}: {text}",
        "Follow-up {index}/{total}: {text}",
    ),
    "current": ("지금 답할 질문: {text}", "You are on: {text}"),
    "retry": (
        "다시 도전 (최고 점수 유지): {text}",
        "Retry (your best score is kept): {text}",
    ),
    "all_done": (
        "오늘의 질문을 모두 마쳤어요. 오늘 합계 {total}점. `/quiz next`로 가장 낮은 "
        "점수의 질문에 다시 도전할 수 있어요.",
        "You have finished today's questions: {total:point|points} today. `/quiz next` "
        "retries your lowest-scored one.",
    ),
    "perfect": (
        "오늘의 질문을 모두 만점으로 마쳤어요!",
        "Every question today at full marks!",
    ),
    "grade_head": (
        "**{score}/100** · {verdict}",
        "**{score}/100** · {verdict}",
    ),
    "covered": ("다룬 개념: {items}", "Covered: {items}"),
    "missed": ("빠진 개념: {items}", "Missed: {items}"),
    "verdict_correct": ("정답", "correct"),
    "verdict_mostly_correct": ("대체로 정답", "mostly correct"),
    "verdict_partial": ("부분 정답", "partly correct"),
    "verdict_incorrect": ("오답", "incorrect"),
    "verdict_no_answer": ("답변 없음", "no answer"),
    "verdict_acknowledged": ("참여 확인", "thanks for sharing"),
    "question_figure": (
        "위 질문이 말하는 그래프예요 (`{name}`).",
        "The figure the question above talks about (`{name}`).",
    ),
    "answer_to": ("답한 질문: {text}", "Your answer to: {text}"),
    "now_again": (
        "오늘의 질문은 이미 올라와 있고, 답은 이 질문으로 가요. 질문을 하나 더 받으려면 "
        "`/quiz now extra` (그다음 답은 새 질문으로 가요).",
        "Today's question is already up, and your answers go to it. `/quiz now extra` posts an "
        "extra question; answers then go to that one.",
    ),
    "empty_answer": (
        "빈 답변은 채점하지 않아요. 답을 적어 보내 주세요 (`/quiz hint`로 힌트).",
        "An empty answer isn't graded. Type your answer (or `/quiz hint` for a hint).",
    ),
    "no_question": (
        "아직 이 채널에 질문이 없어요. 관리자가 `/quiz now`로 바로 올릴 수 있어요.",
        "No question in this channel yet. An admin can post one with `/quiz now`.",
    ),
    "not_question_thread": (
        "이 스레드는 질문 스레드가 아니에요. 오늘의 질문 스레드에 답해 주세요.",
        "This thread isn't a question's thread. Answer in the thread of today's question.",
    ),
    "hint": (
        "힌트: **{concept}** — 이 개념을 답에 넣어 보세요. 이 질문은 이제 최대 {cap}점이에요.",
        "Hint: think about **{concept}**. This prompt is now capped at {cap}.",
    ),
    "hint_open": (
        "의견을 묻는 질문이라 힌트가 없어요. 자유롭게 답해 주세요.",
        "This is an opinion question, so there is no hint: just share your view.",
    ),
    "nothing_to_hint": (
        "지금 답할 질문이 없어요. `/quiz next`로 다시 도전해 보세요.",
        "You have no open question. Try `/quiz next` to retry one.",
    ),
    "skipped": ("건너뛰었어요.", "Skipped."),
    "reveal_head": ("**모범 답안** · {text}", "**Reference answer** · {text}"),
    "reveal_concepts": ("핵심 개념: {items}", "Key concepts: {items}"),
    "reveal_guidance": ("좋은 답의 요소: {text}", "What a good answer covers: {text}"),
    "reveal_summary": (
        "오늘의 답변 {answers}개 · {members}명 · 평균 {mean:.0f}점 · 최고 {best_score}점 ({best})",
        "Today: {answers:answer|answers} from {members:member|members} · mean {mean:.0f} · "
        "best {best_score} ({best})",
    ),
    "reveal_nobody": ("아직 답변이 없어요.", "No answers yet."),
    "reveal_shared": (
        "함께 보는 답 · {name} ({score}점): {text}",
        "Shared answer · {name} ({score:point|points}): {text}",
    ),
    "share_on": (
        "이제 이 채널에서 내 최고 답이 공개될 수 있어요 (`/quiz reveal`과 요약). "
        "끄려면 `/quiz share off`.",
        "Your best answers may now be shown to this channel (`/quiz reveal` and the "
        "summaries). `/quiz share off` stops it.",
    ),
    "share_off": (
        "이제 이 채널에 내 답은 공개되지 않아요 (지난 답도). 다시 켜려면 `/quiz share on`.",
        "Your answers are no longer shown to this channel, past ones included. "
        "`/quiz share on` allows it again.",
    ),
    "home_title": ("{name}님의 현황", "{name}: where you stand"),
    "home_streak": ("연속 참여", "Streak"),
    "home_days": ("{days}일", "{days:day|days}"),
    "home_week": ("이번 주 점수", "Points this week"),
    "home_points": ("{points}점", "{points:point|points}"),
    "home_mastery": ("주제별 숙련도", "Mastery by topic"),
    "home_no_mastery": (
        "아직 없어요. 답하거나 `/quiz practice`로 연습해 보세요.",
        "None yet: answer a question or `/quiz practice`.",
    ),
    "home_due": ("복습할 카드 {count}장", "{count:practice card|practice cards} due"),
    "home_none_due": ("지금 복습할 카드가 없어요.", "Nothing due now."),
    "home_due_more": ("그 밖에 {count}장", "and {count} more"),
    "home_practice": ("지금 연습하기", "Practice now"),
    "home_web": ("웹 페이지 열기", "Open the web page"),
    "home_empty": (
        "아직 답한 질문이 없어요. 채널의 오늘의 질문에 답하면 여기에 내 현황이 나와요.",
        "You have not answered a question yet. Answer the question of the day in a channel and "
        "where you stand shows here.",
    ),
    "digest_head": (
        "**이번 주 팀 요약** · {start} ~ {end}",
        "**The team's week** · {start} to {end}",
    ),
    "digest_nobody": ("이번 주에는 아직 답이 없어요.", "No answers this week yet."),
    "digest_member": (
        "{rank}. {name} · {points}점 (지난주 대비 {change}) · {scheduled}일 중 {days}일 참여",
        "{rank}. {name} · {points:point|points} (from last week: {change}) · "
        "{days}/{scheduled:scheduled day|scheduled days} answered",
    ),
    "digest_streak": (
        "가장 긴 연속 참여: {name} {days}일",
        "Longest streak: {name}, {days:day|days}",
    ),
    "digest_improved": (
        "가장 많이 오른 멤버: {name} (지난주보다 +{change}점)",
        "Most improved: {name} (+{change:point|points} on last week)",
    ),
    "digest_hardest": (
        "가장 어려웠던 질문 (평균 {mean:.0f}점): {question}",
        "Hardest question (mean {mean:.0f}): {question}",
    ),
    "digest_missed_head": ("**가장 많이 놓친 핵심 개념**", "**Most-missed key concepts**"),
    "digest_missed": (
        "• **{concept}** ({count}번) · {question}",
        "• **{concept}** (missed {count:time|times}) · {question}",
    ),
    "digest_open_head": (
        "**열린 질문** (관리자가 웹 페이지의 **열린 질문**에서 모범 답안을 정하면 채점돼요)",
        "**Open questions** (graded once an admin writes the model answer under **Open "
        "questions** on the web page)",
    ),
    "digest_open": (
        "• {id} · {question} · 모아 둔 답 {count}개",
        "• {id} · {question} · {count:answer|answers} kept",
    ),
    "digest_teach": (
        "관리자께: 팀이 아직 채점하지 않은 답 묶음 {count}개가 웹 페이지의 **답 묶음**에서 "
        "기다려요 (`/quiz web`). 대표 답 하나를 채점하면 채점기가 배워요.",
        "For admins: {count:answer group waits|answer groups wait} for a team grade under "
        "**Answer groups** on the web page (`/quiz web`); grading one representative answer "
        "teaches the grader.",
    ),
    "digest_missed_demo": (" · 직접 보기 `/demo {demo}`", " · see it live: `/demo {demo}`"),
    "weekday_names": (
        "월,화,수,목,금,토,일",
        "Monday,Tuesday,Wednesday,Thursday,Friday,Saturday,Sunday",
    ),
    "digest_set": (
        "이 채널의 주간 요약은 매주 {day} {at} ({zone})에 올라와요.",
        "This channel's weekly digest is posted every {day} at {at} ({zone}).",
    ),
    "digest_next_week": (
        "이번 주 {day}요일 시각이 지나서 첫 요약은 다음 주 {day}요일에 올라와요.",
        "This week's {day} has passed: the first one comes next {day}.",
    ),
    "digest_off": (
        "이 채널의 주간 요약을 껐어요. 다시 켜려면 `/quiz digest fri 17:00`처럼 적어 주세요.",
        "The weekly digest is off in this channel. `/quiz digest fri 17:00` turns it on again.",
    ),
    "digest_usage": (
        "`/quiz digest <요일> <HH:MM>` (예: `/quiz digest fri 17:00`) 또는 `/quiz digest off`로 "
        "적어 주세요.",
        "Type `/quiz digest <weekday> <HH:MM>` (e.g. `/quiz digest fri 17:00`) or "
        "`/quiz digest off`.",
    ),
    "digest_bad_day": (
        "'{detail}'는 요일이 아니에요. mon, tue, wed, thu, fri, sat, sun (또는 월~일) 중 하나로 "
        "적어 주세요.",
        "'{detail}' is not a weekday: use mon, tue, wed, thu, fri, sat or sun.",
    ),
    "digest_bad_time": (
        "'{detail}'는 24시간 형식의 시각이 아니에요. 예: `/quiz digest fri 17:00`.",
        "'{detail}' is not a 24-hour time. For example `/quiz digest fri 17:00`.",
    ),
    "chart_digest": ("{start} 주의 점수", "Points in the week of {start}"),
    "chart_digest_this": ("이번 주", "this week"),
    "chart_digest_last": ("지난주", "last week"),
    "chart_digest_axis": ("점수", "points"),
    "chart_digest_alt": (
        "{start} 주의 멤버별 점수 (이번 주, 지난주): {rows}",
        "Points per member in the week of {start} (this week, last week): {rows}",
    ),
    "share_usage": (
        "'{detail}'? `/quiz share on` 또는 `/quiz share off`로 적어 주세요.",
        "'{detail}'? Type `/quiz share on` or `/quiz share off`.",
    ),
    "reveal_demo": ("직접 보기: {demos}", "See it live: {demos}"),
    "leaderboard_head": ("**리더보드** · {period}", "**Leaderboard** · {period}"),
    "leaderboard_row": (
        "{rank}. {name} · {total}점 · {answers}문항 · 연속 {streak}일",
        "{rank}. {name} · {total:point|points} · {answers} answered · streak {streak}",
    ),
    "leaderboard_empty": (
        "아직 점수가 없어요. 오늘의 질문에 답해 보세요!",
        "No scores yet. Answer today's question!",
    ),
    "period_week": ("최근 7일", "last 7 days"),
    "period_month": ("최근 30일", "last 30 days"),
    "period_all": ("전체", "all time"),
    "stats_head": ("**{name}의 기록**", "**Stats for {name}**"),
    "stats_summary": (
        "답변 {answers}개 · 평균 {mean:.0f}점 · 연속 {streak}일 · 참여 {days}일",
        "{answers:answer|answers} · mean {mean:.0f} · streak {streak} · {days:day|days}",
    ),
    "stats_history": ("최근: {items}", "Recent: {items}"),
    "stats_best": ("강한 주제: {items}", "Strongest topics: {items}"),
    "stats_weak": ("약한 주제: {items}", "Weakest topics: {items}"),
    "stats_none": ("{name}님의 답변이 아직 없어요.", "No answers from {name} yet."),
    "unknown_user": (
        "'{detail}' 님을 찾지 못했어요. 답변한 적이 있는 멤버 이름을 적어 주세요.",
        "No member named '{detail}' has answered here yet.",
    ),
    "schedule_set": (
        "일정: {days} {at} ({zone}). 다음 질문: {next}",
        "Schedule: {days} at {at} ({zone}). Next question: {next}",
    ),
    "schedule_usage": (
        "사용법: `/quiz schedule HH:MM [Area/City] [daily|weekdays|mon,wed,fri]`",
        "Usage: `/quiz schedule HH:MM [Area/City] [daily|weekdays|mon,wed,fri]`",
    ),
    "schedule_bad": ("'{detail}' {problem}. {usage}", "'{detail}' {problem}. {usage}"),
    "now_usage": (
        "사용법: `/quiz now`, `/quiz now <질문 id>` (예: `/quiz now q01`), 또는 질문을 하나 더 "
        "받는 `/quiz now extra`",
        "Usage: `/quiz now`, `/quiz now <prompt-id>` (e.g. `/quiz now q01`), or `/quiz now extra` "
        "for an extra question",
    ),
    "now_unknown_prompt": (
        "'{detail}' 질문이 없어요. 질문 id는 문제 파일의 `id:` 값이에요 (예: {known}).",
        "There is no prompt '{detail}'. A prompt id is the `id:` in a bank file (e.g. {known}).",
    ),
    "now_followup": (
        "'{detail}'는 후속 질문이에요. `/quiz now {main}`로 본 질문과 함께 올려 주세요.",
        "'{detail}' is a follow-up. `/quiz now {main}` posts it with its main question.",
    ),
    "lang_set": ("이제 한국어로 안내해요.", "I'll speak English here from now on."),
    "lang_usage": ("사용법: `/quiz lang ko` 또는 `/quiz lang en`", "Usage: `/quiz lang ko|en`"),
    "bad_period": (
        "'{detail}' 대신 week, month, all 중 하나를 써 주세요: `/quiz leaderboard week`",
        "Use week, month or all instead of '{detail}': `/quiz leaderboard week`",
    ),
    "unknown_quiz": (
        "'/quiz {detail}'는 없는 명령이에요. `/help`로 명령을 확인하세요.",
        "There is no '/quiz {detail}'. `/help` lists the commands.",
    ),
    "unknown_command": (
        "'{detail}'는 없는 명령이에요. `/help`로 명령을 확인하세요.",
        "'{detail}' is not a command. `/help` lists the commands.",
    ),
    "admin_only": (
        "이 명령은 채널 관리자만 쓸 수 있어요.",
        "Only channel admins can use this command.",
    ),
    "demo_too_many_params": (
        "파라미터는 {detail}개까지 줄 수 있어요. `/demo list`로 각 데모의 파라미터를 볼 수 있어요.",
        "A demo takes at most {detail} parameters. `/demo list` shows each demo's parameters.",
    ),
    "demo_param": (
        "'{detail}'를 이해하지 못했어요. `/demo 이름 key=value` 형식으로 적어 주세요 "
        "(`/demo list`로 목록 보기).",
        "I couldn't read '{detail}'. Write parameters as key=value, e.g. `/demo optimizers lr=0.1` "
        "(`/demo list` shows the demos).",
    ),
    "demo_unavailable": (
        "이 봇에는 데모 서비스가 연결되어 있지 않아요.",
        "Demos are not available on this bot.",
    ),
    "demo_list_head": ("**데모 목록**", "**Demos**"),
    "demo_list_usage": (
        "실행: `/demo <이름> [key=value ...]` (예: `/demo optimizers seed=1`)",
        "Run one: `/demo <name> [key=value ...]` (e.g. `/demo optimizers seed=1`)",
    ),
    "demo_started": ("`{name}` 실행 준비… ({queue})", "`{name}`: starting… ({queue})"),
    "demo_running_now": ("실행 중", "running now"),
    "demo_in_queue": ("대기열 {position}번째", "{position:ordinal} in queue"),
    "demo_figure_alt": ("{name} 그림 {index}", "{name} figure {index}"),
    "demo_progress": ("`{name}` {percent}% · {message}", "`{name}` {percent}% · {message}"),
    "demo_done": ("`{name}` 완료.", "`{name}` done."),
    "demo_cancelled": ("`{name}` 실행이 취소됐어요.", "`{name}` was cancelled."),
    "demo_unknown": (
        "그런 데모는 없어요. 가능한 데모: {known}",
        "There is no such demo. Known demos: {known}",
    ),
    "demo_more_problems": (" 외 {count}개", " and {count} more"),
    "demo_bad_params": (
        "파라미터를 확인해 주세요: {fields}. `/demo list`로 데모를 볼 수 있어요.",
        "Please check the parameters: {fields}. `/demo list` shows the demos.",
    ),
    "demo_busy": (
        "데모 서비스가 바빠요. {seconds}초 뒤에 다시 시도해 주세요.",
        "The demo service is busy. Try again in {seconds} s.",
    ),
    "demo_failed": ("데모가 실패했어요: {reason}", "The demo failed: {reason}"),
    "demo_down": (
        "데모 서비스에 연결할 수 없어요. 퀴즈는 계속 돼요; 잠시 뒤 다시 시도해 주세요.",
        "The demo service can't be reached right now. Quizzes go on; try the demo again later.",
    ),
    "demo_rate": (
        "데모는 한 시간에 {limit}번까지예요. {minutes}분 뒤에 다시 시도해 주세요.",
        "Demos are limited to {limit} per hour. Try again in {minutes} min.",
    ),
    "open_question_body": (
        "열린 질문이에요: 아직 모범 답안이 없어요. 답을 모아 두었다가 팀이 모범 답안을 "
        "정하면 채점해서 알려 드릴게요.",
        "An open question: there is no model answer yet. Answers are collected and graded "
        "once the team has written its model answer.",
    ),
    "open_answer_kept": (
        "답을 저장했어요. 열린 질문이라 팀이 모범 답안을 정하면 채점해서 여기에 알려 드릴게요.",
        "Your answer is saved. This is an open question: it will be graded, and you told here, "
        "once the team has a model answer.",
    ),
    "open_answer_graded": (
        '팀이 "{question}"의 모범 답안을 정했어요. 내 답의 점수: {score}점.',
        'The team wrote the model answer to "{question}": your answer scores {score:point|points}.',
    ),
    "open_question_no_steps": (
        "열린 질문이라 힌트, 건너뛰기, 후속 질문이 없어요. 답을 적으면 모아 둘게요.",
        "This is an open question: no hints, skips or follow-ups yet. Write your answer and it "
        "is kept for grading.",
    ),
    "open_question_no_reveal": (
        "열린 질문이라 아직 공개할 모범 답안이 없어요. 관리자가 웹 페이지에서 정해요.",
        "This open question has no model answer to reveal yet; an admin writes it on the web page.",
    ),
    "grading_unavailable": (
        "지금은 채점 서버에 연결할 수 없어요. 답은 저장했고, 서버가 돌아오면 채점해서 "
        "여기에 알려 드릴게요.",
        "Grading is unavailable right now. Your answer is saved and will be graded "
        "here as soon as the grading server is back.",
    ),
    "practice_grading_unavailable": (
        "지금은 채점 서버에 연결할 수 없어 답을 채점하지 못했어요. 잠시 후 "
        "`/quiz practice answer <답>`으로 다시 보내 주세요.",
        "Grading is unavailable right now, so this answer was not graded. Please send it again "
        "later with `/quiz practice answer <text>`.",
    ),
    "internal_error": (
        "처리 중 문제가 생겼어요. 답변은 저장되지 않았으니 다시 보내 주세요.",
        "Something went wrong on our side. Nothing was saved, so please send it again.",
    ),
    "practice_prompt": (
        "**연습 · {label}** · {topic}\n{text}",
        "**Practice · {label}** · {topic}\n{text}",
    ),
    "practice_label_new": ("새 문제", "new"),
    "practice_label_review": ("복습", "review"),
    "practice_context": ("(앞의 질문: {text})", "(Earlier question: {text})"),
    "practice_how": (
        "`/quiz practice answer <답>`으로 답하세요. 나만 볼 수 있고 리더보드에는 들어가지 않아요.",
        "Answer with `/quiz practice answer <text>`. Only you see it, and it stays off the "
        "leaderboard.",
    ),
    "practice_nothing_pending": (
        "기다리는 연습 문제가 없어요. 먼저 `/quiz practice`로 문제를 받아 주세요.",
        "No practice question is waiting for you. Get one with `/quiz practice` first.",
    ),
    "practice_empty": (
        "빈 답변은 채점하지 않아요: `/quiz practice answer <답>` "
        "(문제 다시 보기: `/quiz practice`).",
        "An empty answer isn't graded: `/quiz practice answer <text>` (`/quiz practice` shows "
        "the question again).",
    ),
    "practice_next": (
        "이 문제의 다음 복습: {when} · 다음 문제는 `/quiz practice`",
        "This one comes back {when}. `/quiz practice` for the next question.",
    ),
    "practice_caught_up": (
        "지금 복습할 카드도, 새 문제도 없어요. 다음 복습: {upcoming}",
        "Nothing is due and you have seen every question. Next due: {upcoming}",
    ),
    "practice_usage": (
        "사용법: `/quiz practice` (문제 받기) · `/quiz practice answer <답>` (답하기)",
        "Usage: `/quiz practice` (get a question) · `/quiz practice answer <text>` (answer it)",
    ),
    "review_empty": (
        "아직 카드가 없어요. `/quiz practice`로 시작하거나 채널 질문에 답하면 카드가 생겨요.",
        "You have no cards yet. `/quiz practice` starts one, and so does answering in the channel.",
    ),
    "review_summary": (
        "**복습** · 지금 복습할 카드 {due}장 (전체 {total}장) · `/quiz practice`",
        "**Review** · due now: {due:card|cards} of {total} · `/quiz practice`",
    ),
    "review_next": ("다음 복습: {items}", "Next due: {items}"),
    "stats_practice": (
        "연습: 답변 {answers}개 · 평균 {mean:.0f}점",
        "Practice: {answers:answer|answers} · mean {mean:.0f}",
    ),
    "stats_mastery": ("숙련도: {items}", "Mastery: {items}"),
    "stats_mastery_explain": (
        "숙련도 = 복습하지 않으면 30일 뒤 그 주제의 질문에서 기대할 점수예요: 질문마다 마지막 "
        "점수 × 그때도 기억하고 있을 FSRS 확률.",
        "Mastery is the score you can expect on a topic's questions 30 days from now without "
        "review: your last score on each question times FSRS's chance you still remember it then.",
    ),
    "mastery_not_started": ("시작 전", "not started"),
    "stats_channel_mastery": (
        "이 채널의 답변으로 본 숙련도 (복습 없이 30일 뒤 예상 점수): {value}",
        "Mastery from answers in this channel (expected score in 30 days without review): {value}",
    ),
    "mastery_waiting": (
        "시작 전 {count}/{total}개 주제",
        "not started: {count} of {total:topic|topics}",
    ),
    "practice_mastery": (
        "숙련도 (복습 없이 30일 뒤 예상 점수): {items}",
        "Mastery (expected score in 30 days without review): {items}",
    ),
    "chart_scores": (
        "{name} · 하루 점수 · 연속 {streak}일",
        "{name} · score per day · streak {streak}",
    ),
    "chart_best_day": (" · 최고 {day} ({total}점)", " · best {day} ({total})"),
    "chart_day_total": ("하루 합계", "day total"),
    "chart_mastery": (
        "숙련도: 복습 없이 30일 뒤 예상 점수 (본 질문 수/전체)",
        "Mastery: expected score in 30 days without review (questions seen/all)",
    ),
    "chart_no_data": ("아직 데이터가 없어요", "No data yet"),
    "chart_board": ("리더보드 · {period}", "Leaderboard · {period}"),
    "chart_board_axis": (
        "점수 · 숙련도 = 복습 없이 30일 뒤 예상 점수 (채널 답변 기준)",
        "points · mastery = expected score in 30 days without review (channel answers)",
    ),
    "chart_board_bar": ("{total}점 · 숙련도 {mastery}", "{total} · mastery {mastery}"),
    "leaderboard_mastery": (" · 숙련도 {value}", " · mastery {value}"),
    "leaderboard_mastery_note": (
        "숙련도: 복습 없이 30일 뒤 예상 점수 (이 채널의 답변만으로 계산, 개인 연습은 비공개).",
        "Mastery: the score to expect in 30 days without review, from answers in this channel "
        "only (practice stays private).",
    ),
    "chart_stats_alt": (
        "{name}의 점수 그래프 (연속 {streak}일). 최근: {days}.",
        "Chart of {name}'s scores (streak {streak}). Recent: {days}.",
    ),
    "chart_stats_alt_mastery": (
        " 숙련도 (복습 없이 30일 뒤 예상 점수): {topics}",
        " Mastery (expected score in 30 days without review): {topics}",
    ),
    "chart_board_alt": (
        "리더보드 막대 그래프 ({period}, 괄호 안은 숙련도): {rows}",
        "Leaderboard bar chart ({period}, mastery in brackets): {rows}",
    ),
    "web_link": (
        "**팀 웹 페이지** (나만 보임): {url}\n이 링크는 {minutes}분 동안 한 번만 쓸 수 있어요. "
        "다른 사람과 공유하지 마세요.",
        "**Team web page** (only you see this): {url}\nThe link works once, within "
        "{minutes:minute|minutes}. Do not share it.",
    ),
    "web_off": (
        "이 봇에는 웹 페이지가 설정되어 있지 않아요 (QUIZMASTER_WEB_URL, QUIZMASTER_WEB_SECRET).",
        "The web page is not set up on this bot (QUIZMASTER_WEB_URL, QUIZMASTER_WEB_SECRET).",
    ),
    "appeal_nothing": (
        "이 채널에서 채점된 답이 아직 없어요. 답을 쓴 뒤에 `/quiz appeal [이유]`로 이의를 "
        "제기할 수 있어요.",
        "You have no graded answer in this channel yet. After answering, `/quiz appeal [why]` "
        "contests its grade.",
    ),
    "appeal_exists": (
        "마지막 답에는 이미 이의를 제기했어요. 관리자가 확인하면 알려 드릴게요.",
        "You have already appealed your latest answer; you will be told when an admin decides.",
    ),
    "appeal_opened": (
        "이의 #{id}를 접수했어요 ({score}점, 질문: {text}). 관리자가 확인하면 알려 드릴게요.",
        "Appeal #{id} opened ({score:point|points}, question: {text}). You will be told when an "
        "admin decides.",
    ),
    "appeals_head": ("**이의 대기열** · {open}건", "**Appeals waiting** · {open}"),
    "appeals_entry": (
        "**#{id}** · {name} · `{prompt}` · {score}점 · 이유: {reason}",
        "**#{id}** · {name} · `{prompt}` · {score:point|points} · why: {reason}",
    ),
    "appeals_question": ("  질문: {text}", "  Question: {text}"),
    "appeals_answer": ("  답: {text}", "  Answer: {text}"),
    "appeals_concepts": (
        "  다룬 개념: {covered} · 빠진 개념: {missed}",
        "  Covered: {covered} · missed: {missed}",
    ),
    "appeals_reference": ("  참고 답안: {text}", "  Reference: {text}"),
    "appeals_more": ("…그리고 {more}건 더", "…and {more} more"),
    "appeals_stats": (
        "최근 {weeks}주: 이의 {opened}건 (주당 {per_week:.1f}건), 처리 {resolved}건, "
        "점수 변경 {changed}건 ({share}%)",
        "Last {weeks:week|weeks}: {opened:appeal|appeals} ({per_week:.1f} per week), "
        "{resolved} resolved, {changed} changed the score ({share}%)",
    ),
    "appeals_usage": (
        "처리: `/quiz appeals resolve <번호> <새 점수|keep> [메모]`",
        "Resolve: `/quiz appeals resolve <id> <new score|keep> [note]`",
    ),
    "appeals_usage_error": (
        "사용법: `/quiz appeals` (대기열) · `/quiz appeals resolve <번호> <0-100|keep> [메모]`",
        "Usage: `/quiz appeals` (the queue) · `/quiz appeals resolve <id> <0-100|keep> [note]`",
    ),
    "appeal_bad_id": (
        "'{detail}'은(는) 이의 번호가 아니에요. `/quiz appeals`에서 번호를 확인하세요.",
        "'{detail}' is not an appeal number; `/quiz appeals` lists them.",
    ),
    "appeal_bad_score": (
        "새 점수 '{detail}'은(는) 0에서 100 사이의 정수여야 해요 (점수를 그대로 두려면 keep).",
        "The new score '{detail}' must be a whole number from 0 to 100 (or keep).",
    ),
    "appeal_unknown": (
        "이 채널에 #{detail} 이의가 없어요. `/quiz appeals`에서 번호를 확인하세요.",
        "There is no appeal #{detail} in this channel; `/quiz appeals` lists them.",
    ),
    "appeal_resolved_before": (
        "이의 #{id}는 이미 처리됐어요 ({score}점).",
        "Appeal #{id} was resolved already ({score:point|points}).",
    ),
    "appeal_changed": (
        "이의 #{id} 처리: {old}점 → {new}점. 리더보드와 기록에 반영했고 본인에게 알렸어요.",
        "Appeal #{id} resolved: {old} → {new:point|points}. The leaderboard and stats follow, "
        "and the member has been told.",
    ),
    "appeal_kept": (
        "이의 #{id} 처리: 점수 {old}점 유지. 본인에게 알렸어요.",
        "Appeal #{id} resolved: the score stays at {old:point|points}. The member has been told.",
    ),
    "appeal_told_changed": (
        "이의 #{id} 결과: 점수가 {old}점에서 {new}점으로 바뀌었어요.",
        "Your appeal #{id}: your score changed from {old} to {new:point|points}.",
    ),
    "appeal_told_kept": (
        "이의 #{id} 결과: 점수 {old}점이 유지됐어요.",
        "Your appeal #{id}: your score stays at {old:point|points}.",
    ),
    "appeal_note": ("관리자 메모: {note}", "Admin's note: {note}"),
    "team_grade_told": (
        '팀이 "{question}"에 쓴 답을 다시 채점했어요: {old}점에서 {new}점으로 바뀌었어요.',
        'The team regraded your answer to "{question}": your score changed from {old} to '
        "{new:point|points}.",
    ),
    "help": (
        "**quizmaster 명령**\n"
        "답변: 스레드에 그냥 쓰거나 `/quiz answer <답>`\n"
        "`/quiz next` 지금 질문 다시 보기 / 다 끝났으면 가장 낮은 점수 재도전\n"
        "`/quiz skip` 지금 질문 건너뛰기 · `/quiz hint` 힌트 (점수 상한 {cap})\n"
        "`/quiz leaderboard [week|month|all]` · `/quiz stats [이름]`\n"
        "개인 연습 (나만 보임): `/quiz practice` 문제 받기 · `/quiz practice answer <답>` 답하기 · "
        "`/quiz review` 복습할 카드\n"
        "`/quiz web` 팀 웹 페이지 로그인 링크 (나만 보임)\n"
        "점수에 이의: `/quiz appeal [이유]` (마지막 답)\n"
        "`/quiz me` 내 현황 (나만 보임) · `/quiz week` 이번 주 팀 요약 (나만 보임) · "
        "`/quiz share on|off` 내 최고 답 공개 동의\n"
        "관리자: `/quiz now [id]` · `/quiz reveal` · `/quiz appeals` · "
        "`/quiz schedule HH:MM [Area/City] "
        "[daily|weekdays|mon,wed,fri]` · `/quiz lang ko|en` · `/quiz digest <요일 HH:MM|off>`\n"
        "`/demo list` · `/demo <이름> [key=value ...]`",
        "**quizmaster commands**\n"
        "Answer: just write in the thread, or `/quiz answer <text>`\n"
        "`/quiz next` show your current prompt / when done, retry your lowest score\n"
        "`/quiz skip` skip the prompt you are on · `/quiz hint` a hint (caps the score at {cap})\n"
        "`/quiz leaderboard [week|month|all]` · `/quiz stats [name]`\n"
        "Private practice: `/quiz practice` get a question · `/quiz practice answer <text>` "
        "answer it · `/quiz review` cards due\n"
        "`/quiz web` a sign-in link to the team's web page (only you see it)\n"
        "Contest a grade: `/quiz appeal [why]` (your latest answer)\n"
        "`/quiz me` where you stand (only you) · `/quiz week` the team's week so far (only you) · "
        "`/quiz share on|off` let the channel see your best answers\n"
        "Admins: `/quiz now [id]` · `/quiz reveal` · `/quiz appeals` · "
        "`/quiz schedule HH:MM [Area/City] "
        "[daily|weekdays|mon,wed,fri]` · `/quiz lang ko|en` · `/quiz digest <weekday HH:MM|off>`\n"
        "`/demo list` · `/demo <name> [key=value ...]`",
    ),
}


def _ordinal(position: int) -> str:
    """1st, 2nd, 3rd, 4th, ... 21st (English)."""
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(position if position < 20 else position % 10, "th")
    return f"{position}{suffix}"


class _Counts(string.Formatter):
    """`str.format`, plus the `{n:one|many}` field (the number, then the word that agrees) and
    the `{n:ordinal}` field (1st, 2nd, ...)."""

    def format_field(self, value: object, format_spec: str) -> str:
        if format_spec == "ordinal" and isinstance(value, int):
            return _ordinal(value)
        if "|" in format_spec:
            one, many = format_spec.split("|", 1)
            return f"{value} {one if value == 1 else many}"
        return str(super().format_field(value, format_spec))


_FORMATTER = _Counts()


def keys() -> list[str]:
    """Every message key (tests render each one)."""
    return list(_TEXTS)


def template(lang: Lang, key: str) -> str:
    """The message `key` in `lang` before its values are filled in."""
    ko, en = _TEXTS[key]
    return en if lang == "en" else ko


def text(lang: Lang, key: str, **values: object) -> str:
    """The message `key` in `lang` (Korean unless 'en'), with `values` filled in."""
    return _FORMATTER.format(template(lang, key), **values)
